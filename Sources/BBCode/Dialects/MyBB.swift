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
        // MyBB 1.8's postParser::mycode_auto_url (inc/class_parser.php, 1.8.x), on by
        // default (`allow_auto_url`): http, https, ftp, news, irc, ircs and irc6 addresses,
        // `www.` and `ftp.` (both to http://, mycode_parse_url), after white space, `(`,
        // `)`, `[` or a tag; a host of two labels at least, whose last is word characters;
        // the address ends with a word character, `/` or a `)` that has its `(`
        // (mycode_auto_url_callback). No e-mail addresses.
        var reading = ReadingRules()
        reading.autolinks = .init(schemes: ["http", "https", "ftp", "news", "irc", "ircs", "irc6"], www: true,
                                  ftpHostScheme: "http",
                                  shape: .hostAndPath(.init(follows: "()[>", alphanumericLabels: false,
                                                     ending: .wordSlashOrBalancedParenthesis, wrapped: false)))
        // cache_mycode() pairs [b], [i], [u], [s], [color], [size], [font] with
        // `#\[b\](.*?)\[/b\]#si`: one never closed is text; [color] takes a name or
        // three or six hex digits, not rgb(); mycode_parse_list() splits items at [*] only.
        reading.unclosedFormattingIsText = true
        reading.rgbColours = false
        reading.itemEndTagIsText = true
        // [attachment=AID]: postbit replaces it with the attachment (inc/functions_post.php).
        reading.standaloneReferenceTags = ["attachment"]
        // [url=…] and [url] take `[^\r\n"<]+?`, [img] `[^<>"']+?`: a space is part of the
        // address, which the browser sends as %20.
        reading.encodesSpacesInAddresses = true
        dialect.reading = reading
        return dialect
    }()
}
