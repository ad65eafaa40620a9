import MarkupKitCore

extension BBCodeDialect {
    /// `bbcode_friendica`: Friendica (2024). `[ul]`/`[ol]` with `[li]…[/li]` items, as its
    /// documentation now recommends (`[*]` collides with the Markdown addon). `[h1]`–`[h6]`,
    /// sizes in pixels, `[center]` only, spoilers with titles, `[img=url]alt`; a one-line
    /// `[code]` is inline code. Tables, `[hr]` and `[font]` are matched lower case only.
    public static let friendica: BBCodeDialect = {
        var dialect = BBCodeDialect(name: "bbcode_friendica", title: "Friendica")
        dialect.tagCase = .lowercaseOnly(["table", "tr", "th", "td", "font", "hr", "nosmile"])
        dialect.strikethrough = ["s", "del"]
        dialect.bold = ["b", "strong"]
        dialect.italic = ["i", "em"]
        dialect.subscript = ["sub"]
        dialect.superscript = ["sup"]
        dialect.size = .pixels
        dialect.font = ["font"]
        dialect.email = ["mail"]
        dialect.image = .urlInOption
        dialect.inlineCode = .singleLineCode
        dialect.code = CodeForm(tags: ["code"], language: true, newlineMakesBlock: true)
        dialect.quote = .bareName
        dialect.lists.bulletTags = ["ul", "list"]
        dialect.lists.orderedTags = ["ol"]
        dialect.lists.item = .li
        dialect.headings = .numbered(maximum: 6)
        dialect.horizontalRule = .tag
        dialect.table = .full
        dialect.spoiler = .titled
        dialect.alignment = .centerOnly
        dialect.noParse = ["noparse", "nobb"]
        dialect.unreadTags = ["attachment", "share", "abstract", "map", "embed", "audio", "video", "youtube", "vimeo", "event", "crypt"]
        // BBCode::convert (src/Content/Text/BBCode.php, 2024.x) links bare addresses with
        // Strings::autoLinkRegEx(), John Gruber's pattern, outside [url], [img] and the
        // like, while the tags are still in the text: http and https only, at a word
        // start and not after `=`, `'`, `]`, `"` or `/` (so not right after a tag).
        var reading = ReadingRules()
        reading.autolinks = .init(schemes: ["http", "https"],
                                  shape: .characterRun(.init(notAfter: "='\"]/", atWordStart: true,
                                                             characters: .nonSpaceWithBalancedParentheses)))
        // [b], [i], [u], [s] … are paired by `(\[b\](.*?)\[\/b\])ism`: one never closed
        // is text.
        reading.unclosedFormattingIsText = true
        // [url=…] takes anything but brackets, [img] anything: a space is part of the
        // address, which the browser sends as %20.
        reading.encodesSpacesInAddresses = true
        dialect.reading = reading
        return dialect
    }()
}
