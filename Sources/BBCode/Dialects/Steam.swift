import MarkupKitCore

extension BBCodeDialect {
    /// `bbcode_steam`: Steam's formatting: `[h1]`–`[h3]`, `[strike]`, `[olist]` for numbered
    /// lists, `[hr][/hr]`, tables, untitled spoilers, `[noparse]`; no colour, size, font,
    /// alignment or inline code, and quotes name the post after a semicolon.
    public static let steam: BBCodeDialect = {
        var dialect = BBCodeDialect(name: "bbcode_steam", title: "Steam")
        dialect.strikethrough = ["strike"]
        dialect.color = []
        dialect.size = nil
        dialect.email = []
        dialect.inlineCode = .noParse
        dialect.code = CodeForm(tags: ["code"], language: false)
        dialect.quote = .semicolonPost
        dialect.lists.orderedTags = ["olist"]
        dialect.lists.numbering = .none
        dialect.headings = .numbered(maximum: 3)
        dialect.horizontalRule = .pairedTag
        dialect.table = .full
        dialect.spoiler = .untitled
        dialect.noParse = ["noparse"]
        dialect.unreadTags = ["previewyoutube"]
        // Steam shows bare addresses as links. Closed source: http and https are assumed,
        // and where one ends is not checked.
        var reading = ReadingRules()
        reading.autolinks = .init(schemes: ["http", "https"])
        reading.autolinks.approximate = true
        dialect.reading = reading
        return dialect
    }()
}
