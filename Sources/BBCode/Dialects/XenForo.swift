import MarkupKitCore

extension BBCodeDialect {
    /// `bbcode_xenforo`: XenForo 2.2/2.3. Sizes are steps 1–7, headings three levels,
    /// `[LIST=1]` is the only numbered list (any other option is a bullet list), quotes
    /// carry `post:` and `member:` ids, `[ICODE]` is inline code, `[PLAIN]` is no-parse.
    public static let xenForo: BBCodeDialect = {
        var dialect = BBCodeDialect(name: "bbcode_xenforo", title: "XenForo 2")
        dialect.subscript = ["sub"]
        dialect.superscript = ["sup"]
        dialect.size = .scale
        dialect.font = ["font"]
        dialect.image = .attributes
        dialect.inlineCode = .tag("icode")
        dialect.quote = .xenForo
        dialect.lists.numbering = .listEquals([.decimal])
        dialect.lists.unknownOption = .bullet
        dialect.headings = .headingEquals(maximum: 3)
        dialect.table = .full
        dialect.spoiler = .titled
        dialect.alignment = .tags([.left, .center, .right, .justify])
        dialect.noParse = ["plain"]
        dialect.unreadTags = ["user", "media", "attach", "indent", "ispoiler"]
        // XenForo 2 turns bare addresses into [URL] when a post is saved, by default.
        // Closed source: http, https and www. are assumed, and where one ends is not checked.
        var reading = ReadingRules()
        reading.autolinks = .init(schemes: ["http", "https"], www: true)
        reading.autolinks.approximate = true
        // [ATTACH type="full"]123[/ATTACH]: an uploaded file, by its id.
        reading.referenceTags = ["attach"]
        dialect.reading = reading
        return dialect
    }()
}
