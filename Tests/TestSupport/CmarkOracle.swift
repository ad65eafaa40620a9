import CCmarkGFM
import Foundation
import Glibc
import MarkupKitCore
import MarkupKitMarkdown

/// cmark-gfm's own HTML renderer, called in-process: the reference our HTML writer must
/// equal byte for byte on Markdown input.
///
/// In safe mode one rule is ours, not cmark's: cmark blanks addresses on a blocklist
/// (`javascript:`, `vbscript:`, `file:`, `data:` other than four image types), MarkupKit
/// keeps only an allowlist (`URLPolicy.standard`). The oracle applies that allowlist to
/// cmark's output, so everything else is still compared byte for byte.
public enum CmarkOracle {
    public static func html(_ markdown: String, extensions: [String], unsafe: Bool) -> String {
        // Tests run in parallel: cmark-gfm's registration and its special-character table
        // are process-wide, so parse under the reader's lock (which also registers).
        let html = MarkdownReader.withCmarkParsingLock { render(markdown, extensions: extensions, unsafe: unsafe) }
        return unsafe ? html : blankingRefusedAddresses(html)
    }

    /// Empties each `href` and `src` whose scheme `URLPolicy.standard` refuses.
    public static func blankingRefusedAddresses(_ html: String) -> String {
        var result = ""
        var rest = Substring(html)
        while true {
            let href = rest.range(of: " href=\"")
            let src = rest.range(of: " src=\"")
            guard let attribute = [href, src].compactMap({ $0 }).min(by: { $0.lowerBound < $1.lowerBound }) else { break }
            result += rest[..<attribute.upperBound]
            rest = rest[attribute.upperBound...]
            let value = rest.prefix { $0 != "\"" }
            let isImage = attribute == src
            if URLPolicy.standard.allows(String(value), isImage: isImage) { result += value }
            rest = rest.dropFirst(value.count)
        }
        return result + rest
    }

    private static func render(_ markdown: String, extensions: [String], unsafe: Bool) -> String {
        var options = CMARK_OPT_DEFAULT
        if extensions.contains("footnotes") { options |= CMARK_OPT_FOOTNOTES }
        if unsafe { options |= CMARK_OPT_UNSAFE }
        let parser = cmark_parser_new(options)!
        defer { cmark_parser_free(parser) }
        // footnotes is a parser option in cmark-gfm, raw_html is ours (cmark always has raw HTML).
        for name in extensions where name != "footnotes" && name != "raw_html" {
            cmark_parser_attach_syntax_extension(parser, cmark_find_syntax_extension(name)!)
        }
        var markdown = markdown
        markdown.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                if let base = chars.baseAddress { cmark_parser_feed(parser, base, chars.count) }
            }
        }
        let root = cmark_parser_finish(parser)!
        defer { cmark_node_free(root) }
        let rendered = cmark_render_html(root, options, cmark_parser_get_syntax_extensions(parser))!
        defer { free(rendered) }
        return String(cString: rendered)
    }
}
