import CCmarkGFM
import Glibc
import MarkupKitMarkdown

/// cmark-gfm's own HTML renderer, called in-process: the reference our HTML writer must
/// equal byte for byte on Markdown input.
public enum CmarkOracle {
    public static func html(_ markdown: String, extensions: [String], unsafe: Bool) -> String {
        // Tests run in parallel: cmark-gfm's registration and its special-character table
        // are process-wide, so parse under the reader's lock (which also registers).
        MarkdownReader.withCmarkParsingLock { render(markdown, extensions: extensions, unsafe: unsafe) }
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
