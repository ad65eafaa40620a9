import MarkupKitCore

extension BBCodeDialect {
    /// `bbcode_smf`: Simple Machines Forum 2.1. Lists are `[list]` with `[li]` items and
    /// `[list type=decimal]` for numbers (there is no `[ol]`); `[*]` items end at the line
    /// break. Quotes take `author=`, sizes are steps 1–7, tables have no header cells,
    /// `[nobbc]` shows text as typed. A post is at most 20 000 characters by default
    /// (`max_messageLength`, SMF 2.1.4's installation defaults); longer ones are refused.
    public static let smf: BBCodeDialect = {
        var dialect = BBCodeDialect(name: "bbcode_smf", title: "Simple Machines Forum 2.1")
        dialect.subscript = ["sub"]
        dialect.superscript = ["sup"]
        dialect.size = .scale
        dialect.postLengthLimit = PostLengthLimit(20_000, .characters, setting: "max_messageLength")
        dialect.font = ["font"]
        dialect.image = .attributes
        dialect.code = CodeForm(tags: ["code"], language: true, languageTags: ["php": "php"])
        dialect.quote = .authorAttribute
        dialect.lists.numbering = .typeAttribute
        dialect.lists.item = .li
        dialect.lists.starItemEndsAtLineBreak = true
        dialect.lists.starOutsideListStartsList = true
        dialect.horizontalRule = .tag
        dialect.table = .noHeaderCells
        dialect.alignment = .tags([.left, .center, .right, .justify])
        dialect.noParse = ["nobbc"]
        dialect.unreadTags = ["attach", "html", "ftp", "glow", "shadow", "move", "tt", "time", "abbr", "acronym", "bdo", "me", "pre"]
        // SMF 2.1 links bare addresses and e-mail addresses by default (`autoLinkUrls`,
        // parse_bbc in Sources/Subs.php); 2.1.x finds their ends with a list of top-level
        // domains from IANA and also links bare domain names, which is not followed.
        var reading = ReadingRules()
        reading.autolinks = .init(schemes: ["http", "https", "ftp", "ftps"], www: true, email: true)
        reading.autolinks.approximate = true
        // [attach id=123]name[/attach] (2.1) or [attach]123[/attach]: an uploaded file.
        reading.referenceTags = ["attach"]
        dialect.reading = reading
        return dialect
    }()
}
