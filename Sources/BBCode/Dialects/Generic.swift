import MarkupKitCore

extension BBCodeDialect {
    /// `bbcode`: the common core most forums share, with the widely known `[noparse]`.
    /// Tag choices follow bbcode.org and pandoc's "official" flavour.
    public static let generic: BBCodeDialect = {
        var dialect = BBCodeDialect(name: "bbcode", title: "generic BBCode")
        dialect.strikethrough = ["s", "strike", "del"]
        dialect.subscript = ["sub"]
        dialect.superscript = ["sup"]
        dialect.font = ["font"]
        dialect.image = .attributes
        dialect.horizontalRule = .tag
        dialect.table = .full
        dialect.spoiler = .titled
        dialect.alignment = .tags([.left, .center, .right, .justify])
        dialect.noParse = ["noparse"]
        return dialect
    }()
}
