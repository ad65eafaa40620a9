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
        // How phpBB 3.3 reads beyond its tags: its s9e/TextFormatter configuration
        // (phpbb/textformatter/s9e/factory.php, 3.3.x) and the plugins it loads.
        var reading = ReadingRules()
        // configure_autolink(): Autoemail, and Autolink with matchWww, over the schemes of
        // `allowed_schemes_links` (default "http,https,ftp", install/schemas/schema_data.sql).
        reading.autolinks = .init(schemes: ["http", "https", "ftp"], www: true, email: true)
        // [URL={URL;useContent}] and [IMG src={IMAGEURL;useContent}]: s9e's URL filter
        // percent-encodes what an address may not hold, spaces included.
        reading.encodesSpacesInAddresses = true
        // [IMG src=…]: the tag's value is its `src`, so `[img=URL][/img]` is an image.
        reading.imageSourceInValue = true
        // [LIST type={HASHMAP=1:decimal,a:lower-alpha,…}]: `type` is the default attribute.
        reading.listTypeAttribute = true
        // [EMAIL={EMAIL;useContent} subject={TEXT1;optional} body={TEXT2;optional}],
        // rendered as mailto:address?subject=…&body=… (rawurlencode).
        reading.emailSubjectAndBody = true
        // [QUOTE author={PARSE=/^\[url=(?'url'.*?)](?'author'.*)\[\/url]$/i} …]: an author
        // written as a link is its name, and the link the quote's `url`.
        reading.quoteAuthorLinks = true
        // s9e closes what is left open at the end of the text: a [code] never closed is
        // code to the end (its content is not parsed).
        reading.unclosedCodeRunsToEnd = true
        // [*] is LI with an end tag of its own, [/*]; text after it is inside the list,
        // outside any item, where the browser shows it without a bullet.
        reading.textAfterItemEndStaysInItem = true
        // [ATTACHMENT index={NUMBER} filename={TEXT;useContent}]: an inline attachment,
        // kept as the reference it is.
        reading.referenceTags = ["attachment"]
        // s9e's default rules generators give formatting tags (B, I, U, COLOR, SIZE, URL:
        // formatting elements in their templates) `autoReopen`: an end tag that closes them
        // on its way to its own start tag ([/quote], [/list], [/*]) reopens them after it.
        reading.formattingOutlivesBlockEnd = true
        dialect.reading = reading
        return dialect
    }()
}
