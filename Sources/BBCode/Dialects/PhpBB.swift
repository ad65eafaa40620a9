import MarkupKitCore

extension BBCodeDialect {
    /// `bbcode_phpbb`: phpBB 3.3's default BBCodes (s9e/TextFormatter). A tiny core: no
    /// strikethrough, headings, tables, spoilers or alignment unless a board adds them;
    /// `[size]` is a percentage; no no-parse tag, so literal tags are split by an empty
    /// `[b][/b]`, which the parser keeps. A post is at most 60 000 characters by default
    /// (`max_post_chars`, phpBB 3.3's install/schemas/schema_data.sql).
    public static let phpBB: BBCodeDialect = {
        var dialect = BBCodeDialect(name: "bbcode_phpbb", title: "phpBB 3.3")
        dialect.strikethrough = []
        dialect.lists.unknownOption = .bullet
        dialect.escape = .emptyTagSplit("b")
        dialect.postLengthLimit = PostLengthLimit(60_000, .characters, setting: "max_post_chars")
        dialect.unreadTags = ["attachment", "flash"]
        return dialect
    }()
}
