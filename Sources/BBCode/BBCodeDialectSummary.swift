import MarkupKitCore

extension BBCodeDialect {
    /// What this dialect expresses and how markconv writes each kind, one line per kind
    /// (`markconv --describe bbcode_phpbb`). Read from the table itself, so it cannot
    /// disagree with the reader and the writer.
    public var summary: String {
        let rows = features
        let width = rows.map(\.kind.count).max() ?? 0
        var text = "\(name): \(title)\n\n"
        for (kind, form) in rows {
            text += kind + String(repeating: " ", count: width - kind.count + 2) + form + "\n"
        }
        return text
    }

    /// The kinds this dialect writes differently from the source, each with a warning
    /// when a document uses it: the `features` whose form says so.
    public var degradedKinds: [String] {
        features.filter { $0.form.contains("warning") }.map(\.kind)
    }

    /// Each kind of content (`bold`, `table`, `list depth` …) and the form this dialect
    /// gives it, or what becomes of it when the dialect has none.
    public var features: [(kind: String, form: String)] {
        func tag(_ names: [String], _ form: (String) -> String) -> String {
            guard let first = names.first else { return "—  (text kept, formatting dropped, with a warning)" }
            let others = names.dropFirst().map { "[\($0)]" }
            return form(first) + (others.isEmpty ? "" : "   also read: " + others.joined(separator: " "))
        }
        func pair(_ name: String) -> String { "[\(name)]…[/\(name)]" }
        var rows: [(String, String)] = []
        rows.append(("bold", tag(bold, pair)))
        rows.append(("italic", tag(italic, pair)))
        rows.append(("underline", tag(underline, pair)))
        rows.append(("strikethrough", tag(strikethrough, pair)))
        rows.append(("sub/superscript", self.subscript.isEmpty ? "—  (text kept, formatting dropped, with a warning)"
                                                          : pair(self.subscript[0]) + "  " + pair(superscript.first ?? "sup")))
        rows.append(("colour", tag(color) { "[\($0)=#ff0000]…[/\($0)] (hex or a CSS colour name)" }))
        if let size {
            let meaning: String
            switch size {
            case .percent: meaning = "percent, 1–400"
            case .scale: meaning = "steps 1–7"
            case .pixels: meaning = "pixels, 1–200"
            case .points: meaning = "points, 1–150"
            }
            rows.append(("size", "[size=N]…[/size] (\(meaning); other units are converted, with a warning)"))
        } else {
            rows.append(("size", "—  (text kept, size dropped, with a warning)"))
        }
        rows.append(("font", tag(font) { "[\($0)=Arial, Courier New]…[/\($0)]" }))
        rows.append(("link", "[url=https://…]text[/url], [url]https://…[/url]"))
        rows.append(("e-mail", tag(email) { "[\($0)]a@example.com[/\($0)]" }.replacing("—  (text kept, formatting dropped, with a warning)", with: "—  (written as [url=mailto:…])")))
        switch image {
        case .plain: rows.append(("image", "[img]url[/img]  (description and size are dropped, with a warning)"))
        case .attributes: rows.append(("image", "[img alt=\"…\" width=W height=H]url[/img]"))
        case .urlInOption: rows.append(("image", "[img=url]description[/img]  (size dropped, with a warning)"))
        case .altInOption: rows.append(("image", "[img=description]url[/img]  (size dropped, with a warning)"))
        case .sizeInOption: rows.append(("image", "[img=WxH]url[/img]  (description dropped, with a warning)"))
        }
        switch inlineCode {
        case .none: rows.append(("inline code", "—  (written as plain text, with a warning)"))
        case .tag(let name): rows.append(("inline code", pair(name)))
        case .singleLineCode: rows.append(("inline code", "[code]…[/code] on one line"))
        case .noParse: rows.append(("inline code", "[\(noParse.first ?? "noparse")]…[/\(noParse.first ?? "noparse")] (shown as typed, not as code; with a warning)"))
        }
        var codeBlock = code.language ? "[\(code.tags[0])=language]…[/\(code.tags[0])]" : "[\(code.tags[0])]…[/\(code.tags[0])]  (language dropped, with a warning)"
        if !code.languageTags.isEmpty { codeBlock += "   language tags: " + code.languageTags.keys.sorted().map { "[\($0)]" }.joined(separator: " ") }
        if code.newlineMakesBlock { codeBlock += "   (a block needs a line break inside)" }
        rows.append(("code block", codeBlock))
        switch quote {
        case .quotedName: rows.append(("quote", "[quote=\"Name\" post_id=… time=… user_id=…]…[/quote]"))
        case .bareName: rows.append(("quote", "[quote=Name]…[/quote]"))
        case .xenForo: rows.append(("quote", "[quote=\"Name, post: 1, member: 2\"]…[/quote]"))
        case .semicolonPost: rows.append(("quote", "[quote=Name;post]…[/quote]"))
        case .authorAttribute: rows.append(("quote", "[quote author=Name link=… date=…]…[/quote]"))
        case .singleQuotedName: rows.append(("quote", "[quote='Name' pid='…' dateline='…']…[/quote]"))
        }
        let item: String
        switch lists.item {
        case .star: item = "[*]item"
        case .starClosed: item = "[*]item[/*]"
        case .li: item = "[li]item[/li]"
        }
        rows.append(("bullet list", "[\(lists.bulletTags[0])] \(item) [/\(lists.bulletTags[0])]"))
        var ordered: [String] = []
        if let tag = lists.orderedTags.first { ordered.append("[\(tag)]") }
        switch lists.numbering {
        case .listEquals(let styles):
            let codes: [NumberingStyle: String] = [.decimal: "1", .lowerAlpha: "a", .upperAlpha: "A", .lowerRoman: "i", .upperRoman: "I"]
            ordered.append("[list=" + styles.compactMap { codes[$0] }.joined(separator: "|") + "]")
        case .typeAttribute:
            ordered.append("[list type=decimal|lower-alpha|upper-alpha|lower-roman|upper-roman]")
        case .none:
            break
        }
        rows.append(("numbered list", (ordered.isEmpty ? "—" : ordered.joined(separator: ", ")) + "; start numbers are not kept (warning)"))
        rows.append(("list depth", lists.maximumDepth.map { "\($0) levels; deeper items are written as lines, with a warning" } ?? "any"))
        switch headings {
        case .none: rows.append(("heading", "—  (written as a bold line, with a warning)"))
        case .numbered(let maximum): rows.append(("heading", "[h1]…[/h1] to [h\(maximum)]"))
        case .headingEquals(let maximum): rows.append(("heading", "[heading=1]…[/heading] to \(maximum)"))
        case .single: rows.append(("heading", "[h]…[/h], one level"))
        }
        switch horizontalRule {
        case .none: rows.append(("rule", "—  (written as * * *, with a warning)"))
        case .tag: rows.append(("rule", "[hr]"))
        case .pairedTag: rows.append(("rule", "[hr][/hr]"))
        }
        switch table {
        case .none: rows.append(("table", "—  (written as lines, cells separated by |, with a warning)"))
        case .full: rows.append(("table", "[table][tr][th]…[/th][td]…[/td][/tr][/table]  (column alignment dropped, with a warning)"))
        case .noHeaderCells: rows.append(("table", "[table][tr][td]…[/td][/tr][/table]  (header cells written bold)"))
        }
        switch spoiler {
        case .none: rows.append(("spoiler", "—  (content shown, with a warning)"))
        case .titled: rows.append(("spoiler", "[spoiler=\"Title\"]…[/spoiler]"))
        case .untitled: rows.append(("spoiler", "[spoiler]…[/spoiler]  (a title becomes a bold first line)"))
        }
        switch alignment {
        case .none: rows.append(("alignment", "—  (content kept, with a warning)"))
        case .tags(let available): rows.append(("alignment", available.map { "[\($0.rawValue)]" }.joined(separator: " ")))
        case .alignEquals: rows.append(("alignment", "[align=left|center|right|justify]"))
        case .centerOnly: rows.append(("alignment", "[center] only"))
        }
        switch escape {
        case .noParseTag: rows.append(("literal [tags]", "[\(noParse.first ?? "noparse")][b][/\(noParse.first ?? "noparse")]"))
        case .emptyTagSplit(let splitter): rows.append(("literal [tags]", "split by an empty pair: [[\(splitter)][/\(splitter)]b] shows [b]"))
        case .zeroWidthSpace: rows.append(("literal [tags]", "a zero-width space after the bracket: [\\u200Bb] shows [b]"))
        }
        switch tagCase {
        case .insensitive: rows.append(("tag names", "any case: [B] is [b]"))
        case .lowercaseOnly(let names): rows.append(("tag names", "any case, except lower case only for " + names.sorted().map { "[\($0)]" }.joined(separator: " ")))
        }
        return rows
    }
}
