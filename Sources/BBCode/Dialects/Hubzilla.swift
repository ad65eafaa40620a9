import MarkupKitCore

extension BBCodeDialect {
    /// `bbcode_hubzilla`: Hubzilla 8/9, Friendica's relative: `[ul]`/`[ol]` with `[*]`
    /// items, `[h1]`–`[h6]`, sizes in pixels, `[center]`, spoilers, `[img=url]alt`, and a
    /// one-line `[code]` as inline code. Tables and `[hr]` are matched lower case only.
    public static let hubzilla: BBCodeDialect = {
        var dialect = BBCodeDialect(name: "bbcode_hubzilla", title: "Hubzilla")
        dialect.tagCase = .lowercaseOnly(["table", "tr", "th", "td", "hr"])
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
        dialect.headings = .numbered(maximum: 6)
        dialect.horizontalRule = .tag
        dialect.table = .full
        dialect.spoiler = .titled
        dialect.alignment = .centerOnly
        dialect.noParse = ["noparse", "nobb"]
        dialect.unreadTags = ["zrl", "zmg", "share", "map", "audio", "video", "observer", "embed", "crypt", "rpost"]
        // bbcode() (include/bbcode.php, Hubzilla 8/9) links bare http and https addresses
        // not after `]`, `=`, `'`, `"`, `;` or `/` (so not right after a tag), running
        // over letters, digits and `:/-?&;.=_~#%$!+,@()`.
        var reading = ReadingRules()
        reading.autolinks = .init(schemes: ["http", "https"],
                                  shape: .characterRun(.init(notAfter: "]='\";/", atWordStart: false,
                                                             characters: .lettersDigitsAnd(":/-?&;.=_~#%$!+,@()"))))
        // [b], [i], [u], [s] … are paired by `(\[b\](.*?)\[\/b\])ism`: one never closed
        // is text; [*] is replaced by <li> and [/*] is left as it is.
        reading.unclosedFormattingIsText = true
        reading.itemEndTagIsText = true
        // [url=…] takes anything but brackets, [img] anything: a space is part of the
        // address, which the browser sends as %20.
        reading.encodesSpacesInAddresses = true
        dialect.reading = reading
        return dialect
    }()
}
