import MarkupKitCore

extension BBCodeDialect {
    /// `bbcode_fluxbb`: FluxBB 1.5 (PunBB 1.4 is close). Lists go five levels deep — the
    /// forum deletes deeper ones, text and all — and only `*`, `1` and `a` exist; items are
    /// written `[*]…[/*]` and hold no quotes or headings; `[h]` is its one heading, `[c]`
    /// inline code; `[img=alt]url`.
    /// Saving a post deletes empty tags, so literal tags are escaped with a zero-width space.
    public static let fluxBB: BBCodeDialect = {
        var dialect = BBCodeDialect(name: "bbcode_fluxbb", title: "FluxBB 1.5")
        dialect.strikethrough = ["s", "del"]
        dialect.color = ["color", "colour"]
        dialect.size = nil
        dialect.image = .altInOption
        dialect.inlineCode = .tag("c")
        dialect.code = CodeForm(tags: ["code"], language: false)
        dialect.quote = .bareName
        dialect.lists.numbering = .listEquals([.decimal, .lowerAlpha])
        dialect.lists.item = .starClosed
        dialect.lists.maximumDepth = 5
        dialect.lists.itemsAllowOnlyInlineContent = true
        dialect.headings = .single
        dialect.escape = .zeroWidthSpace
        return dialect
    }()
}
