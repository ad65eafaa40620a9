import MarkupKitCore

extension BBCodeDialect {
    /// What this dialect expresses and how markconv writes each kind, one line per kind
    /// (`markconv --describe bbcode_phpbb`). Read from the table the reader and the writer
    /// work from; that the writer warns exactly where a row names a loss is checked kind
    /// by kind (BBCodeDialectSummaryTests).
    public var summary: String {
        let rows = features
        let width = rows.map(\.kind.count).max() ?? 0
        var text = "\(name): \(title)\n\n"
        for row in rows {
            text += row.kind + String(repeating: " ", count: width - row.kind.count + 2) + row.description + "\n"
        }
        let notes = readingNotes
        if !notes.isEmpty {
            text += "\nread as \(title) reads it:\n"
            for note in notes { text += "  " + note + "\n" }
        }
        return text
    }

    /// What the reader does beyond the tags, following the forum (`ReadingRules`), one
    /// line each.
    public var readingNotes: [String] {
        var notes: [String] = []
        let autolinks = reading.autolinks
        if !autolinks.isEmpty {
            let kinds = autolinks.schemes.map { "\($0)://…" } + (autolinks.www ? ["www.…"] : [])
                + (autolinks.ftpHostScheme != nil ? ["ftp.…"] : []) + (autolinks.email ? ["a@example.com"] : [])
            var splitting = ""
            switch escape {
            case .emptyTagSplit(let splitter): splitting = " (text that would be one is written split: http[\(splitter)][/\(splitter)]://…)"
            case .invisibleMark(let mark): splitting = " (text that would be one is written with U+\(String(mark.value, radix: 16, uppercase: true)) after http)"
            case .noParseTag:
                let tag = noParse.first ?? "noparse"
                splitting = " (text that would be one is written split: http[\(tag)][/\(tag)]://…)"
            }
            let shape = switch autolinks.shape {
            case .textFormatter: ""
            case .hostAndPath: " when the forum's pattern takes them (a host with a dot, after a space, a bracket or a tag)"
            case .characterRun: " when the forum's pattern takes them (not right after a tag, `=` or a quote)"
            }
            let approximate = autolinks.approximate ? " (where one ends: phpBB's reading, not checked against this forum; with a warning)" : ""
            notes.append("bare " + kinds.joined(separator: ", ") + " in text are links" + shape + approximate + splitting)
        }
        if reading.encodesSpacesInAddresses { notes.append("a space inside a [url] or [img] address is %20") }
        if reading.imageSourceInValue { notes.append("[img=url][/img] and [img src=url][/img] are images (text inside is not shown)") }
        if reading.listTypeAttribute { notes.append("[list type=a] is [list=a]") }
        if reading.emailSubjectAndBody { notes.append("[email=a@example.com subject=… body=…] links to mailto:…?subject=…&body=…") }
        if reading.quoteAuthorLinks { notes.append("[quote=\"[url=…]Name[/url]\"] is by Name (the link is dropped, with a warning)") }
        if reading.unclosedCodeRunsToEnd { notes.append("a [code] never closed is code to the end of the post (with a warning)") }
        if reading.textAfterItemEndStaysInItem { notes.append("text after [/*] stays in its item (with a warning)") }
        if reading.unclosedFormattingIsText { notes.append("[b] and other formatting never closed is text (with a warning)") }
        if reading.itemEndTagIsText { notes.append("[/*] is text (with a warning)") }
        if !reading.rgbColours { notes.append("[color=rgb(…)] is text") }
        if reading.formattingOutlivesBlockEnd {
            notes.append("formatting left open in a block goes on after the block's end tag ([quote][b]x[/quote] y: y is bold; with a warning)")
        }
        if !reading.referenceTags.isEmpty || !reading.standaloneReferenceTags.isEmpty {
            notes.append((reading.referenceTags.map { "[\($0)]" } + reading.standaloneReferenceTags.map { "[\($0)=…]" }).joined(separator: " ")
                         + " kept as BBCode: written back as it was, shown as its text elsewhere (with a warning)")
        }
        return notes
    }

    /// The kinds this dialect writes differently from the source, each with a warning
    /// when a document uses it in the form that costs the most: the `features` with a loss.
    public var degradedKinds: [String] {
        features.filter { $0.loss != nil }.map(\.kind)
    }

    /// Each kind of content (`bold`, `table`, `list depth` …), the form this dialect gives
    /// it, and what becomes of it when the dialect has none or less than the source.
    public var features: [DialectFeature] {
        func tag(_ names: [String], _ form: (String) -> String) -> DialectFeature.Form {
            guard let first = names.first else { return .absent("text kept, formatting dropped") }
            let others = names.dropFirst().map { "[\($0)]" }
            return .kept(form(first) + (others.isEmpty ? "" : "   also read: " + others.joined(separator: " ")))
        }
        func pair(_ name: String) -> String { "[\(name)]…[/\(name)]" }
        var rows: [DialectFeature] = []
        func add(_ kind: String, _ form: DialectFeature.Form) { rows.append(DialectFeature(kind: kind, form)) }
        func add(_ kind: String, _ form: String, loss: String? = nil) { rows.append(DialectFeature(kind: kind, form: form, loss: loss)) }
        add("bold", tag(bold, pair))
        add("italic", tag(italic, pair))
        add("underline", tag(underline, pair))
        add("strikethrough", tag(strikethrough, pair))
        add("sub/superscript", self.subscript.isEmpty ? .absent("text kept, formatting dropped")
                                                      : .kept(pair(self.subscript[0]) + "  " + pair(superscript.first ?? "sup")))
        add("colour", tag(color) { "[\($0)=#ff0000]…[/\($0)] (hex or a CSS colour name)" })
        if let size {
            let meaning: String
            switch size {
            case .percent: meaning = "percent, 1–400"
            case .scale: meaning = "steps 1–7"
            case .pixels: meaning = "pixels, 1–200"
            case .points: meaning = "points, 1–150"
            }
            add("size", "[size=N]…[/size] in \(meaning)", loss: "other units are converted")
        } else {
            add("size", .absent("text kept, size dropped"))
        }
        add("font", tag(font) { "[\($0)=Arial, Courier New]…[/\($0)]" })
        add("link", "[url=https://…]text[/url], [url]https://…[/url]")
        add("e-mail", email.first.map { "[\($0)]a@example.com[/\($0)]" } ?? "—  (written as [url=mailto:…])")
        switch image {
        case .plain: add("image", "[img]url[/img]", loss: "description and size are dropped")
        case .attributes: add("image", "[img alt=\"…\" width=W height=H]url[/img]")
        case .urlInOption: add("image", "[img=url]description[/img]", loss: "size dropped")
        case .altInOption: add("image", "[img=description]url[/img]", loss: "size dropped")
        case .sizeInOption: add("image", "[img=WxH]url[/img]", loss: "description dropped")
        }
        switch inlineCode {
        case .none: add("inline code", .absent("written as plain text"))
        case .tag(let name): add("inline code", pair(name))
        case .singleLineCode: add("inline code", "[code]…[/code] on one line")
        case .noParse: add("inline code", pair(noParse.first ?? "noparse"), loss: "shown as typed, not as code")
        }
        var codeBlock = code.language ? "[\(code.tags[0])=language]…[/\(code.tags[0])]" : pair(code.tags[0])
        if !code.languageTags.isEmpty { codeBlock += "   language tags: " + code.languageTags.keys.sorted().map { "[\($0)]" }.joined(separator: " ") }
        if code.newlineMakesBlock { codeBlock += "   (a block needs a line break inside)" }
        add("code block", codeBlock, loss: code.language ? nil : "language dropped")
        switch quote {
        case .quotedName: add("quote", "[quote=\"Name\" post_id=… time=… user_id=…]…[/quote]")
        case .bareName: add("quote", "[quote=Name]…[/quote]")
        case .xenForo: add("quote", "[quote=\"Name, post: 1, member: 2\"]…[/quote]")
        case .semicolonPost: add("quote", "[quote=Name;post]…[/quote]")
        case .authorAttribute: add("quote", "[quote author=Name link=… date=…]…[/quote]")
        case .singleQuotedName: add("quote", "[quote='Name' pid='…' dateline='…']…[/quote]")
        }
        let item: String
        switch lists.item {
        case .star: item = "[*]item"
        case .starClosed: item = "[*]item[/*]"
        case .li: item = "[li]item[/li]"
        }
        add("bullet list", "[\(lists.bulletTags[0])] \(item) [/\(lists.bulletTags[0])]")
        let codes: [NumberingStyle: String] = [.decimal: "1", .lowerAlpha: "a", .upperAlpha: "A", .lowerRoman: "i", .upperRoman: "I"]
        var ordered: [String] = []
        var numbered: [NumberingStyle] = [.decimal]
        if let tag = lists.orderedTags.first { ordered.append("[\(tag)]") }
        switch lists.numbering {
        case .listEquals(let styles):
            ordered.append("[list=" + styles.compactMap { codes[$0] }.joined(separator: "|") + "]")
            numbered = styles
        case .typeAttribute:
            ordered.append("[list type=decimal|lower-alpha|upper-alpha|lower-roman|upper-roman]")
            numbered = NumberingStyle.allCases
        case .none:
            break
        }
        let unnumbered = NumberingStyle.allCases.filter { !numbered.contains($0) }.compactMap { codes[$0] }
        add("numbered list", ordered.isEmpty ? "—" : ordered.joined(separator: ", "),
            loss: "start numbers are not kept" + (unnumbered.isEmpty ? "" : "; " + unnumbered.joined(separator: ", ") + " written as 1, 2, 3"))
        if let maximum = lists.maximumDepth {
            add("list depth", "\(maximum) levels", loss: "deeper items are written as lines")
        } else {
            add("list depth", "any")
        }
        switch headings {
        case .none: add("heading", .absent("written as a bold line"))
        case .numbered(let maximum):
            add("heading", "[h1]…[/h1] to [h\(maximum)]", loss: maximum < 6 ? "deeper levels written as [h\(maximum)]" : nil)
        case .headingEquals(let maximum):
            add("heading", "[heading=1]…[/heading] to \(maximum)", loss: maximum < 6 ? "deeper levels written as \(maximum)" : nil)
        case .single: add("heading", "[h]…[/h], one level", loss: "every level written as it")
        }
        switch horizontalRule {
        case .none: add("rule", .absent("written as * * *"))
        case .tag: add("rule", "[hr]")
        case .pairedTag: add("rule", "[hr][/hr]")
        }
        switch table {
        case .none: add("table", .absent("written as lines, cells separated by |"))
        case .full: add("table", "[table][tr][th]…[/th][td]…[/td][/tr][/table]", loss: "column alignment dropped")
        case .noHeaderCells:
            add("table", "[table][tr][td]…[/td][/tr][/table]", loss: "header cells written bold, column alignment dropped")
        }
        switch spoiler {
        case .none: add("spoiler", .absent("content shown"))
        case .titled: add("spoiler", "[spoiler=\"Title\"]…[/spoiler]")
        case .untitled: add("spoiler", "[spoiler]…[/spoiler]", loss: "a title becomes a bold first line")
        }
        switch alignment {
        case .none: add("alignment", .absent("content kept"))
        case .tags(let available):
            let missing = TextAlignment.allCases.filter { !available.contains($0) }
            add("alignment", available.map { "[\($0.rawValue)]" }.joined(separator: " "),
                loss: missing.isEmpty ? nil : missing.map(\.rawValue).joined(separator: " and ") + " kept as content")
        case .alignEquals: add("alignment", "[align=left|center|right|justify]")
        case .centerOnly: add("alignment", "[center] only", loss: "other alignments kept as content")
        }
        switch escape {
        case .noParseTag: add("literal [tags]", "[\(noParse.first ?? "noparse")][b][/\(noParse.first ?? "noparse")]")
        case .emptyTagSplit(let splitter): add("literal [tags]", "split by an empty pair: [[\(splitter)][/\(splitter)]b] shows [b]")
        case .invisibleMark(let mark):
            add("literal [tags]", "an invisible U+\(String(mark.value, radix: 16, uppercase: true)) after the bracket: [\\u\(String(mark.value, radix: 16, uppercase: true))b] shows [b]")
        }
        if let limit = postLengthLimit {
            add("post length", "at most \(limit.count) \(limit.unit.rawValue) by default (\(limit.setting))", loss: "longer posts are refused")
        } else {
            add("post length", "no default limit known")
        }
        switch tagCase {
        case .insensitive: add("tag names", "any case: [B] is [b]")
        case .lowercaseOnly(let names): add("tag names", "any case, except lower case only for " + names.sorted().map { "[\($0)]" }.joined(separator: " "))
        }
        return rows
    }
}

/// One row of a dialect's table: a kind of content and how the dialect writes it.
public struct DialectFeature: Hashable, Sendable, CustomStringConvertible {
    /// The kind of content, e.g. `table`.
    public let kind: String
    /// The BBCode the dialect writes for it, or "—" when it has none.
    public let form: String
    /// What writing it loses, when the source uses it in full (a start number, a title);
    /// the writer warns whenever it does. Nil when nothing is lost.
    public let loss: String?

    public init(kind: String, form: String, loss: String? = nil) {
        self.kind = kind
        self.form = form
        self.loss = loss
    }

    /// A form with no tag names, or the form of a kind the dialect lacks.
    enum Form {
        case kept(String)
        case absent(String)
    }

    init(kind: String, _ form: Form) {
        switch form {
        case .kept(let written): self.init(kind: kind, form: written)
        case .absent(let fallback): self.init(kind: kind, form: "—", loss: fallback)
        }
    }

    /// The form and, when something is lost, what and that the writer says so.
    public var description: String {
        loss.map { "\(form)  (\($0), with a warning)" } ?? form
    }
}
