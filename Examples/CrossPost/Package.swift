// swift-tools-version:6.0
import PackageDescription

// A consumer of MarkupKit, as a project of yours would be: it depends on the package by
// path here; yours would name the repository and a version instead.
let package = Package(
    name: "CrossPost",
    dependencies: [
        .package(name: "MarkupKit", path: "../.."),
    ],
    targets: [
        .executableTarget(name: "CrossPost", dependencies: [.product(name: "MarkupKit", package: "MarkupKit")]),
    ]
)
