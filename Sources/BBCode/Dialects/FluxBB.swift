import MarkupKitCore

extension BBCodeDialect {
    /// `bbcode_fluxbb`: FluxBB 1.5 (checked against 1.5.11; PunBB 1.4 is close). Lists go
    /// five levels deep — the forum deletes deeper ones, text and all — and only `*`, `1`
    /// and `a` exist; items are written `[*]…[/*]` and hold no quotes or headings; `[h]` is
    /// its one heading; `[img=alt]url`. There is no inline code: `[c]` exists only on
    /// FluxBB's unreleased master, and 1.5.11 shows it as text.
    /// Saving a post deletes empty tags, so literal tags are escaped with an invisible
    /// character — U+2063, since 1.5's `remove_bad_characters` (include/functions.php)
    /// deletes zero-width spaces and joiners from everything posted. A post is at most
    /// 65 535 bytes (`PUN_MAX_POSTSIZE`, include/common.php, checked with `strlen`).
    public static let fluxBB: BBCodeDialect = {
        var dialect = BBCodeDialect(name: "bbcode_fluxbb", title: "FluxBB 1.5")
        dialect.strikethrough = ["s", "del"]
        dialect.color = ["color", "colour"]
        dialect.size = nil
        dialect.image = .altInOption
        dialect.code = CodeForm(tags: ["code"], language: false)
        dialect.quote = .bareName
        dialect.lists.numbering = .listEquals([.decimal, .lowerAlpha])
        dialect.lists.item = .starClosed
        dialect.lists.maximumDepth = 5
        dialect.lists.itemsAllowOnlyInlineContent = true
        dialect.headings = .single
        dialect.escape = .invisibleMark("\u{2063}")
        dialect.postLengthLimit = PostLengthLimit(65_535, .bytes, setting: "PUN_MAX_POSTSIZE")
        dialect.unreadTags = ["topic", "post", "forum", "user"]
        // do_clickable (include/parser.php, 1.5.x), run on every post saved while
        // `o_make_links` is on (the default): http, https, ftp and news addresses, `www.`
        // (to http://) and `ftp.` (to ftp://), after white space, `]` or `)`, or inside
        // `(…)`, `'…'`, `"…"`, `<…>`, `[…]`; labels of letters, digits and `-`; a path up
        // to white space or `[` that does not end with `.,?!;:-`; not when `[/url]` or
        // `[/img]` follows in the same run of non-space characters. No e-mail addresses.
        var reading = ReadingRules()
        reading.autolinks = .init(schemes: ["http", "https", "ftp", "news"], www: true, ftpHostScheme: "ftp",
                                  shape: .hostAndPath(.init(follows: "])", alphanumericLabels: true,
                                                     ending: .pathNotEndingWith(".,?!;:-"), wrapped: true,
                                                     notBeforeEndTags: ["url", "img"])))
        dialect.reading = reading
        return dialect
    }()
}
