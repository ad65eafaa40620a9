/// The GitHub Flavored Markdown extensions cmark-gfm offers, each selectable on its own.
public struct MarkdownExtensions: OptionSet, Hashable, Sendable, Codable {
    public let rawValue: UInt8

    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// Pipe tables.
    public static let table = MarkdownExtensions(rawValue: 1 << 0)
    /// `~~strikethrough~~`.
    public static let strikethrough = MarkdownExtensions(rawValue: 1 << 1)
    /// Bare `www.` and `http://` links and e-mail addresses.
    public static let autolink = MarkdownExtensions(rawValue: 1 << 2)
    /// Neutralises a few dangerous raw HTML tags (`<script>`, `<iframe>` …) when raw HTML is
    /// written at all. Not a sanitizer.
    public static let tagfilter = MarkdownExtensions(rawValue: 1 << 3)
    /// `- [ ]` and `- [x]` task list items.
    public static let tasklist = MarkdownExtensions(rawValue: 1 << 4)
    /// `[^label]` footnotes.
    public static let footnotes = MarkdownExtensions(rawValue: 1 << 5)

    /// Raw HTML in the text, as CommonMark allows. Without it the reader keeps HTML as
    /// text and the writer never writes HTML (pandoc's `raw_html`).
    public static let rawHTML = MarkdownExtensions(rawValue: 1 << 6)

    /// Plain CommonMark: raw HTML, nothing else.
    public static let commonmark: MarkdownExtensions = [.rawHTML]

    /// Everything GitHub enables.
    public static let gfm: MarkdownExtensions = [.table, .strikethrough, .autolink, .tagfilter, .tasklist, .footnotes, .rawHTML]

    /// Each extension with its name on the command line, in a fixed order.
    public static let named: [(name: String, extensions: MarkdownExtensions)] = [
        ("table", .table),
        ("strikethrough", .strikethrough),
        ("autolink", .autolink),
        ("tagfilter", .tagfilter),
        ("tasklist", .tasklist),
        ("footnotes", .footnotes),
        ("raw_html", .rawHTML),
    ]

    public init?(name: String) {
        guard let match = MarkdownExtensions.named.first(where: { $0.name == name }) else { return nil }
        self = match.extensions
    }

    /// The names of the extensions in this set, in the fixed order.
    public var names: [String] {
        MarkdownExtensions.named.filter { contains($0.extensions) }.map(\.name)
    }

    /// The cmark-gfm syntax extensions to attach (footnotes is a parser option there).
    var cmarkSyntaxExtensionNames: [String] {
        names.filter { $0 != "footnotes" && $0 != "raw_html" }
    }
}
