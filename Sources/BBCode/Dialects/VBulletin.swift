import MarkupKitCore

extension BBCodeDialect {
    /// `bbcode_vbulletin`: vBulletin 3.8/4.2. Sizes are steps 1–7, quotes name the post
    /// after a semicolon, `[php]` and `[html]` are code blocks, `[noparse]` shows text as
    /// typed; no strikethrough, tables or headings in the core.
    public static let vBulletin: BBCodeDialect = {
        var dialect = BBCodeDialect(name: "bbcode_vbulletin", title: "vBulletin 3.8/4.2")
        dialect.strikethrough = []
        dialect.size = .scale
        dialect.font = ["font"]
        dialect.code = CodeForm(tags: ["code"], language: false, languageTags: ["php": "php", "html": "html"])
        dialect.quote = .semicolonPost
        dialect.alignment = .tags([.left, .center, .right])
        dialect.noParse = ["noparse"]
        dialect.unreadTags = ["attach", "video", "highlight", "indent"]
        // vBulletin's "Automatically parse links in text", on by default, turns bare
        // addresses into [URL] when a post is saved. Closed source: http, https, ftp and
        // www. are assumed, and where one ends is not checked.
        var reading = ReadingRules()
        reading.autolinks = .init(schemes: ["http", "https", "ftp"], www: true)
        reading.autolinks.approximate = true
        // [ATTACH=CONFIG]123[/ATTACH] or [ATTACH]123[/ATTACH]: an uploaded file, by its id.
        reading.referenceTags = ["attach"]
        dialect.reading = reading
        return dialect
    }()
}
