// swift-tools-version:6.0
import PackageDescription

// One module per format, the tree in the middle, the CLI a thin shell.
// See docs/ARCHITECTURE.md for the map.
let package = Package(
    name: "MarkupKit",
    products: [
        .library(name: "MarkupKit", targets: ["MarkupKit"]),
        .executable(name: "markconv", targets: ["markconv"]),
        .executable(name: "markconv-serve", targets: ["markconv-serve"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // `swift package generate-documentation` (the DocC catalogue in Sources/MarkupKit).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
        // `markconv serve`: the HTTP API and the web page.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        // Only for the server's tests, which build request bodies.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // Debian's libcmark-gfm, linked as a system library. Both -dev packages are needed:
        // the .pc file names -lcmark-gfm-extensions, which only the second one ships.
        .systemLibrary(
            name: "CCmarkGFM",
            path: "Sources/CCmarkGFM",
            pkgConfig: "libcmark-gfm",
            providers: [.apt(["libcmark-gfm-dev", "libcmark-gfm-extensions-dev"])]
        ),
        // A per-thread bump allocator for cmark's nodes (C, because cmark calls it).
        .target(name: "CmarkArena", dependencies: ["CCmarkGFM"], path: "Sources/CmarkArena"),
        // Debian's gumbo, the HTML5 parser the HTML reader uses (docs/ARCHITECTURE.md says why).
        .systemLibrary(
            name: "CGumbo",
            path: "Sources/CGumbo",
            pkgConfig: "gumbo",
            providers: [.apt(["libgumbo-dev"])]
        ),
        // Gumbo with a deadline and a memory budget (C, because gumbo calls its allocator).
        .target(name: "GumboGuard", dependencies: ["CGumbo"], path: "Sources/GumboGuard"),
        // The byte scans every input goes through (C, for dependable vector instructions).
        .target(name: "ByteScan", path: "Sources/ByteScan"),
        .target(name: "MarkupKitCore", dependencies: ["ByteScan"], path: "Sources/MarkupKitCore"),
        .target(
            name: "MarkupKitMarkdown",
            // The Markdown writer falls back to HTML for tables when the target lacks them.
            dependencies: ["MarkupKitCore", "MarkupKitHTML", "ByteScan", "CCmarkGFM", "CmarkArena"],
            path: "Sources/Markdown"
        ),
        .target(name: "MarkupKitHTML", dependencies: ["MarkupKitCore", "ByteScan", "CGumbo", "GumboGuard"], path: "Sources/HTML"),
        .target(name: "MarkupKitBBCode", dependencies: ["MarkupKitCore", "ByteScan"], path: "Sources/BBCode"),
        .target(name: "MarkupKitJSON", dependencies: ["MarkupKitCore"], path: "Sources/JSON"),
        .target(
            name: "MarkupKit",
            dependencies: ["MarkupKitCore", "MarkupKitMarkdown", "MarkupKitHTML", "MarkupKitJSON", "MarkupKitBBCode"],
            path: "Sources/MarkupKit"
        ),
        // The HTTP API and web page over MarkupKit (`markconv serve`).
        .target(
            name: "MarkupKitServer",
            dependencies: ["MarkupKit", .product(name: "Hummingbird", package: "hummingbird"),
                           .product(name: "Logging", package: "swift-log")],
            path: "Sources/Server"
        ),
        .executableTarget(
            name: "markconv",
            dependencies: ["MarkupKit", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/markconv"
        ),
        // The server `markconv serve` becomes: a program of its own, so that SwiftNIO is
        // loaded only when serving (docs/ARCHITECTURE.md).
        .executableTarget(name: "markconv-serve", dependencies: ["MarkupKitServer"], path: "Sources/markconv-serve"),
        // The fuzzing harness (scripts/fuzz builds it with libFuzzer; plain, it replays inputs).
        .executableTarget(name: "markconv-fuzz", dependencies: ["MarkupKit", "MarkupKitTestSupport"], path: "Fuzz"),
        // Test helpers shared by both test targets: the spec file, cmark-gfm's own renderer
        // as an oracle, and a random Markdown generator.
        .target(name: "MarkupKitTestSupport", dependencies: ["CCmarkGFM", "MarkupKitCore", "MarkupKitMarkdown", "MarkupKit"],
                path: "Tests/TestSupport"),
        .testTarget(
            name: "MarkupKitTests",
            dependencies: ["MarkupKit", "MarkupKitTestSupport", "ByteScan"],
            path: "Tests/MarkupKitTests",
            // Inputs the tests read from disk, by path.
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "ServerTests",
            dependencies: ["MarkupKit", "MarkupKitServer", .product(name: "HummingbirdTesting", package: "hummingbird"),
                           .product(name: "NIOCore", package: "swift-nio")],
            path: "Tests/ServerTests"
        ),
        .testTarget(
            name: "markconvTests",
            dependencies: ["markconv", "MarkupKit", "MarkupKitTestSupport"],
            path: "Tests/markconvTests"
        ),
    ]
)
