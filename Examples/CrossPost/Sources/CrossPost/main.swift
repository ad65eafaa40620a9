// Cross-posts a Markdown post to a forum: prints the forum's BBCode, what the forum
// could not show (with line and column), how deep the post's lists go, and whether the
// post survives the trip there and back.
//
//     swift run CrossPost post.md [dialect]        (dialect: phpbb, xenforo, friendica, …)

import Foundation
import MarkupKit

let arguments = CommandLine.arguments.dropFirst()
guard let path = arguments.first else {
    FileHandle.standardError.write(Data("usage: CrossPost POST.md [DIALECT]\n".utf8))
    exit(64)
}
let dialectName = arguments.dropFirst().first ?? "phpbb"
guard let dialect = BBCodeDialect.all.first(where: { $0.name == "bbcode_\(dialectName)" || $0.name == dialectName }) else {
    FileHandle.standardError.write(Data("unknown dialect \(dialectName); known: \(BBCodeDialect.all.map(\.name))\n".utf8))
    exit(64)
}
let post = try String(contentsOfFile: path, encoding: .utf8)

// 1. Convert in one call.
let forum = try MarkupKit.convert(post, from: .gfm, to: .bbcode(dialect))
print(forum.output, terminator: "")
for warning in forum.warnings {
    print("warning: \(path):\(warning)")
}

// 2. Walk the tree: how deep do the lists go? (Nodes are in document order; a node's
//    children are found through the document, so no recursion is needed.)
let document = try MarkupKit.read(utf8: Array(post.utf8), as: .gfm).document
var deepest = 0
var stack: [(node: Int, listDepth: Int)] = document.topLevel.map { ($0, 0) }
while let (node, depth) = stack.popLast() {
    var listDepth = depth
    if case .list = document[node].kind { listDepth += 1 }
    deepest = max(deepest, listDepth)
    stack += document.children(of: node).map { ($0, listDepth) }
}
print("lists nest \(deepest) deep")

// 3. Does it survive the trip to the forum and back?
let report = try MarkupKit.roundTrip(utf8: Array(post.utf8), as: .gfm, via: .bbcode(dialect))
if report.survived {
    print("round trip through \(dialect.name): nothing lost")
} else {
    print("round trip through \(dialect.name): \(report.differences.count) difference(s)")
    for difference in report.differences { print("  \(difference)") }
    exit(1)
}
