import MarkupKitCore

extension BBCodeDialect {
    /// `bbcode_mybb`: MyBB 1.8. Regular-expression MyCode: `[list=1|a|A|i|I]`, `[img=WxH]`,
    /// `[align=…]`, sizes in points, `[php]` code; no no-parse tag, so literal tags are split
    /// by an empty `[b][/b]`.
    public static let myBB: BBCodeDialect = {
        var dialect = BBCodeDialect(name: "bbcode_mybb", title: "MyBB 1.8")
        dialect.size = .points
        dialect.font = ["font"]
        dialect.image = .sizeInOption
        dialect.code = CodeForm(tags: ["code"], language: false, languageTags: ["php": "php"])
        dialect.quote = .singleQuotedName
        dialect.horizontalRule = .tag
        dialect.alignment = .alignEquals
        dialect.escape = .emptyTagSplit("b")
        dialect.unreadTags = ["attachment", "video"]
        return dialect
    }()
}
