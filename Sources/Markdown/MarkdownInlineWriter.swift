import MarkupKitCore
import MarkupKitHTML

/// What the Markdown being written can express, decided by the target format.
struct MarkdownSyntax {
    var extensions: MarkdownExtensions
    /// Whether raw HTML may stand in for what Markdown has no syntax for.
    var allowsRawHTML: Bool
}

/// Writes the inline content of one paragraph, heading or table cell.
///
/// Markdown's inline syntax is context-sensitive: whether `*` opens emphasis depends on
/// the characters on both sides, whether `-` starts a list on where the line starts. So
/// the content is first laid out as pieces (text, fixed syntax, line breaks, emphasis
/// delimiters), and only then is text escaped — where, and only where, it would
/// otherwise mean something — and each delimiter checked against its real neighbours.
struct MarkdownInlineWriter {
    enum Context {
        case paragraph
        /// An ATX heading: one line, trailing `#`s would be taken for a closing sequence.
        case heading
        case tableCell
    }

    let document: Document
    let syntax: MarkdownSyntax

    /// A delimited span: emphasis, strong emphasis or strikethrough.
    private enum Span {
        case emphasis, strong, strikethrough
        /// Emphasis around strong emphasis that spans all of it: `***text***`, the one
        /// spelling that parses back to exactly that nesting in every context.
        case emphasisAroundStrong

        var candidates: [Unicode.Scalar] {
            switch self {
            case .emphasis, .strong, .emphasisAroundStrong: ["*", "_"]
            case .strikethrough: ["~"]
            }
        }

        var width: Int {
            switch self {
            case .emphasis: 1
            case .strong, .strikethrough: 2
            case .emphasisAroundStrong: 3
            }
        }

        var htmlTags: (open: String, close: String) {
            switch self {
            case .emphasis: ("<em>", "</em>")
            case .strong: ("<strong>", "</strong>")
            case .strikethrough: ("<del>", "</del>")
            case .emphasisAroundStrong: ("<em><strong>", "</strong></em>")
            }
        }
    }

    private enum Piece {
        /// Text to escape; `inLinkText` makes `]` special.
        case text([Unicode.Scalar], inLinkText: Bool)
        /// Syntax written exactly as given.
        case syntax(String)
        case lineBreak(hard: Bool)
        /// Index into `delimiters`.
        case delimiter(Int)
    }

    private struct Delimiter {
        var span: Span
        var isOpener: Bool
        /// The piece index of the matching delimiter.
        var partner: Int
        var character: Unicode.Scalar?
        var node: Int
        /// Touches other syntax or needed a neighbour changed: the first to give up.
        var isRisky = false
        /// In an image's description, which renders as plain text: tags would show.
        var isInImage = false
        /// Written as HTML tags instead (`<em>`), or not at all.
        var fallback: Fallback = .none

        enum Fallback { case none, html, dropped }
    }

    /// Renders plain text (newlines as line breaks) as a paragraph's content, escaped.
    func renderText(_ text: String) -> String {
        var layout = Layout(document: document, syntax: syntax, context: .paragraph, attempt: .asterisksFirst)
        for (offset, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if offset > 0 { layout.pieces.append(.lineBreak(hard: false)) }
            layout.appendText(String(line), inLinkText: false)
        }
        var ignored: [ConversionWarning] = []
        return layout.finish(warnings: &ignored)
    }

    /// How hard a layout tries to use Markdown's own delimiters.
    enum Attempt {
        /// What a person types: `*` and `**` everywhere, even next to each other
        /// (`**x*y***`); kept only if it reads back the same without character references.
        case plain
        /// `*` first, `_` where neighbours need it.
        case asterisksFirst
        /// `_` first: some nestings only parse back with the other character.
        case underscoresFirst
        /// HTML tags for the spans that touch other syntax, delimiters for the rest.
        case riskySpansAsHTML
        /// Every emphasis span as HTML tags (or, without raw HTML, as plain text).
        case noDelimiters

        var next: Attempt {
            switch self {
            case .plain: .asterisksFirst
            case .asterisksFirst: .underscoresFirst
            case .underscoresFirst: .riskySpansAsHTML
            case .riskySpansAsHTML, .noDelimiters: .noDelimiters
            }
        }
    }

    /// Renders the children of `parent` as Markdown inline content.
    ///
    /// Where emphasis delimiters touch other syntax, whether a run opens or closes
    /// depends on rules subtle enough (and, in cmark-gfm 0.29, quirky enough) that the
    /// result is checked: the text is read back and compared with the tree. If it does
    /// not read back the same, the next attempt uses the other delimiter character, and
    /// the last HTML tags, which render the same.
    func render(childrenOf parent: Int, context: Context, warnings: inout [ConversionWarning]) -> String {
        var attempt = Attempt.plain
        while true {
            var layout = Layout(document: document, syntax: syntax, context: context, attempt: attempt)
            var attemptWarnings: [ConversionWarning] = []
            layout.collect(parent + 1..<document.subtreeEnd(of: parent), warnings: &attemptWarnings)
            let text = layout.finish(warnings: &attemptWarnings)
            // The plain layout is kept only where it was read back and found the same.
            if attempt == .plain && (layout.usedCharacterReferences
                                     || (layout.needsVerification && !isVerifiable(childrenOf: parent))) {
                attempt = attempt.next
                continue
            }
            let done = attempt == .noDelimiters || !layout.needsVerification
                || !isVerifiable(childrenOf: parent)
                || readsBack(text, asChildrenOf: parent, context: context, sameRenderingSuffices: attempt == .riskySpansAsHTML)
            if done {
                warnings += attemptWarnings
                return text
            }
            attempt = attempt.next
        }
    }

    /// Whether reading the Markdown back can give these very nodes: not when some are
    /// written as HTML (underline …) or need a definition elsewhere (footnotes).
    private func isVerifiable(childrenOf parent: Int) -> Bool {
        let embeddedHTML = readsEmbeddedHTMLBack(childrenOf: parent)
        return (parent + 1..<document.subtreeEnd(of: parent)).allSatisfy { index in
            switch document[index].kind {
            case .text, .softBreak, .lineBreak, .code, .emphasis, .strong, .link:
                true
            case .underline, .superscript, .subscript, .color, .fontSize, .font:
                // Written as HTML tags, which the reader pairs again (`EmbeddedHTML`).
                embeddedHTML
            case .rawInline(let format, _):
                format == .html && syntax.allowsRawHTML
            case .image(let image):
                image.width == nil && image.height == nil
            case .strikethrough:
                syntax.extensions.contains(.strikethrough)
            case .footnoteReference:
                // Read back with a definition for its label (`readsBack`).
                syntax.extensions.contains(.footnotes)
            default:
                false
            }
        }
    }

    /// Whether the run is read back with its HTML tags read for their meaning, which
    /// tells kinds written as HTML from tags that cross delimiters: where raw HTML is
    /// written, and no raw HTML of the input's own is there to be read differently.
    private func readsEmbeddedHTMLBack(childrenOf parent: Int) -> Bool {
        syntax.allowsRawHTML && !(parent + 1..<document.subtreeEnd(of: parent)).contains { index in
            if case .rawInline = document[index].kind { return true }
            return false
        }
    }

    /// Whether `text`, read as Markdown, gives the children of `parent` again — or, when
    /// spans were written as HTML tags on purpose, at least renders the same.
    private func readsBack(_ text: String, asChildrenOf parent: Int, context: Context, sameRenderingSuffices: Bool) -> Bool {
        // A footnote reference reads as one only where its label is defined: the
        // definitions go after the paragraph, as they stand elsewhere in the document.
        var labels: [String] = []
        for index in parent + 1..<document.subtreeEnd(of: parent) {
            if case .footnoteReference(let label) = document[index].kind, !labels.contains(label) { labels.append(label) }
        }
        let definitions = labels.map { "\n\n[^\($0)]: definition" }.joined()
        // A cell is read back as the one cell of a table's header row.
        let inCell = context == .tableCell
        let source = inCell ? "| " + text + " |\n| --- |\n" : text
        let reread = MarkdownReader(extensions: syntax.extensions, policy: .trusted,
                                    readsEmbeddedHTML: readsEmbeddedHTMLBack(childrenOf: parent))
            .read(source + definitions).document
        let container = inCell ? 2 : 0
        guard reread.nodeCount > container,
              inCell ? reread[container].kind == .tableCell && reread.subtreeEnd(of: 0) == reread.subtreeEnd(of: container)
                     : reread[0].kind == .paragraph,
              reread.subtreeEnd(of: 0) == reread.nodeCount || !labels.isEmpty else {
            return false
        }
        if reread.childrenMeanTheSame(of: container, as: document, of: parent) { return true }
        guard sameRenderingSuffices else { return false }
        let html = HTMLWriter(options: .init(allowsRawHTML: true))
        return html.write(paragraph(holdingChildrenOf: parent, in: document)).bytes
            == html.write(paragraph(holdingChildrenOf: container, in: reread)).bytes
    }

    private func paragraph(holdingChildrenOf parent: Int, in source: Document) -> Document {
        var builder = DocumentBuilder()
        builder.open(.paragraph)
        for child in source.children(of: parent) { builder.append(source, subtreeAt: child) }
        return builder.finish()
    }

    /// The pieces of one inline run and the passes over them.
    private struct Layout {
        let document: Document
        let syntax: MarkdownSyntax
        let context: Context
        let attempt: Attempt
        var pieces: [Piece] = []
        /// How many inlines written as HTML are open where the collection stands.
        var htmlDepth = 0
        /// Set where a delimiter touches other syntax or needed a fix: worth reading back.
        var needsVerification = false
        /// Set where a character was written as a reference so a delimiter would flank.
        var usedCharacterReferences = false
        var droppedSpans: [ConversionWarning] = []
        var delimiters: [Delimiter] = []
        /// Rendered text pieces: one string per scalar, so a single character can be
        /// replaced by a character reference when a delimiter needs it.
        var units: [Int: [String]] = [:]

        init(document: Document, syntax: MarkdownSyntax, context: Context, attempt: Attempt) {
            self.document = document
            self.syntax = syntax
            self.context = context
            self.attempt = attempt
        }

        // MARK: Pass 1: lay out the pieces

        mutating func collect(_ range: Range<Int>, warnings: inout [ConversionWarning]) {
            // What to append when each open node ends, innermost last.
            var closers: [(end: Int, action: Closer)] = []
            var linkDepth = 0
            var imageDepth = 0
            var index = range.lowerBound
            while index < range.upperBound || !closers.isEmpty {
                if let last = closers.last, last.end <= index {
                    closers.removeLast()
                    switch last.action {
                    case .syntax(let text): pieces.append(.syntax(text))
                    case .endHTML(let text):
                        htmlDepth -= 1
                        pieces.append(.syntax(text))
                    case .delimiter(let opener):
                        let closerIndex = pieces.count
                        delimiters.append(Delimiter(span: delimiters[opener].span, isOpener: false,
                                                    partner: delimiters[opener].partner, node: delimiters[opener].node,
                                                    isInImage: delimiters[opener].isInImage))
                        delimiters[opener].partner = closerIndex
                        pieces.append(.delimiter(delimiters.count - 1))
                    case .endLinkText(let text):
                        linkDepth -= 1
                        pieces.append(.syntax(text))
                    case .endImageText(let text):
                        linkDepth -= 1
                        imageDepth -= 1
                        pieces.append(.syntax(text))
                    case .nothing:
                        break
                    }
                    continue
                }
                let node = document[index]
                let end = Int(node.subtreeEnd)
                let position = node.range.start
                switch node.kind {
                case .text(let ref):
                    appendText(document.string(ref), inLinkText: linkDepth > 0)
                case .softBreak:
                    if context == .paragraph {
                        pieces.append(.lineBreak(hard: false))
                    } else {
                        appendText(" ", inLinkText: linkDepth > 0)
                    }
                case .lineBreak:
                    if context == .paragraph {
                        pieces.append(.lineBreak(hard: true))
                    } else if syntax.allowsRawHTML {
                        pieces.append(.syntax("<br />"))
                    } else {
                        appendText(" ", inLinkText: linkDepth > 0)
                        warnings.append(ConversionWarning(.loss, at: position,
                                                          "line break inside a \(context == .heading ? "heading" : "table cell") written as a space"))
                    }
                case .code(let ref):
                    let content = document.string(ref)
                    if content.isEmpty {
                        warnings.append(ConversionWarning(.loss, at: position, "empty inline code has no Markdown form; left out"))
                    } else {
                        pieces.append(.syntax(MarkdownInlineWriter.codeSpan(content)))
                    }
                case .emphasis, .strong, .strikethrough:
                    var span: Span = node.kind == .emphasis ? .emphasis : node.kind == .strong ? .strong : .strikethrough
                    if htmlDepth > 0 && syntax.allowsRawHTML {
                        // Inside an element written as HTML, delimiters could pair with
                        // ones outside it across its tags (`~~<u>~~x</u>~~`): tags only.
                        closers.append((end, wrapInHTML(span.htmlTags.open, span.htmlTags.close, node.kind.displayName,
                                                        at: position, warnings: &warnings)))
                        break
                    }
                    if span == .emphasis, end > index + 2, document[index + 1].kind == .strong,
                       document.subtreeEnd(of: index + 1) == end {
                        // Both spans are written by one delimiter run; the strong node's own
                        // delimiters are skipped, its children are not.
                        span = .emphasisAroundStrong
                        let opener = delimiters.count
                        delimiters.append(Delimiter(span: span, isOpener: true, partner: pieces.count, node: index,
                                                    isInImage: imageDepth > 0))
                        pieces.append(.delimiter(opener))
                        closers.append((end, .delimiter(opener)))
                        closers.append((end, .nothing))
                        index += 2
                        continue
                    }
                    if end == index + 1 {
                        // Nothing inside: `**` would be text, so there is nothing to write.
                        index = end
                        continue
                    }
                    if span == .strikethrough && !syntax.extensions.contains(.strikethrough) {
                        closers.append((end, wrapInHTML("<del>", "</del>", "strikethrough", at: position, warnings: &warnings)))
                        break
                    }
                    let opener = delimiters.count
                    delimiters.append(Delimiter(span: span, isOpener: true, partner: pieces.count, node: index,
                                                isInImage: imageDepth > 0))
                    pieces.append(.delimiter(opener))
                    closers.append((end, .delimiter(opener)))
                case .underline:
                    closers.append((end, wrapInHTML("<u>", "</u>", "underline", at: position, warnings: &warnings)))
                case .superscript:
                    closers.append((end, wrapInHTML("<sup>", "</sup>", "superscript", at: position, warnings: &warnings)))
                case .subscript:
                    closers.append((end, wrapInHTML("<sub>", "</sub>", "subscript", at: position, warnings: &warnings)))
                case .color(let color):
                    closers.append((end, wrapInHTML("<span style=\"color: \(color.hexString)\">", "</span>", "colour",
                                                    at: position, warnings: &warnings)))
                case .fontSize(let size):
                    closers.append((end, wrapInHTML("<span style=\"font-size: \(size.cssValue)\">", "</span>", "font size",
                                                    at: position, warnings: &warnings)))
                case .font(let family):
                    let css = family.cssValue.replacing("'", with: "&#39;")
                    closers.append((end, wrapInHTML("<span style=\"font-family: \(css)\">", "</span>", "font",
                                                    at: position, warnings: &warnings)))
                case .link(let destination, let title):
                    if linkDepth > 0 {
                        // Markdown has no link inside a link; the inner one keeps its text.
                        warnings.append(ConversionWarning(.loss, at: position, "link inside a link: the inner link was written as its text"))
                        closers.append((end, .nothing))
                    } else if let autolink = MarkdownInlineWriter.autolink(destination: destination, title: title,
                                                                          children: index + 1..<end, in: document) {
                        pieces.append(.syntax(autolink))
                        index = end
                        continue
                    } else {
                        pieces.append(.syntax("["))
                        linkDepth += 1
                        closers.append((end, .endLinkText("](" + MarkdownInlineWriter.destinationAndTitle(destination, title) + ")")))
                    }
                case .image(let image):
                    if (image.width != nil || image.height != nil) && syntax.allowsRawHTML {
                        pieces.append(.syntax(MarkdownInlineWriter.htmlImage(image, alt: document.plainText(of: index))))
                        index = end
                        continue
                    }
                    if image.width != nil || image.height != nil {
                        warnings.append(ConversionWarning(.loss, at: position, "image width and height have no Markdown form; left out"))
                    }
                    pieces.append(.syntax("!["))
                    linkDepth += 1
                    imageDepth += 1
                    closers.append((end, .endImageText("](" + MarkdownInlineWriter.destinationAndTitle(image.source, image.title) + ")")))
                case .footnoteReference(let label):
                    if syntax.extensions.contains(.footnotes) {
                        pieces.append(.syntax("[^\(label)]"))
                    } else {
                        appendText("[^\(label)]", inLinkText: linkDepth > 0)
                        warnings.append(ConversionWarning(.loss, at: position, "footnote reference written as text (footnotes are off)"))
                    }
                case .rawInline(let format, let ref):
                    if format == .html && syntax.allowsRawHTML {
                        pieces.append(.syntax(document.string(ref)))
                    } else {
                        appendText(document.string(ref), inLinkText: linkDepth > 0)
                        warnings.append(ConversionWarning(.loss, at: position, "raw \(format) written as text"))
                    }
                case .paragraph, .heading, .thematicBreak, .blockQuote, .list, .listItem, .codeBlock, .table,
                     .tableRow, .tableCell, .footnoteDefinition, .alignment, .spoiler, .rawBlock:
                    // A block inside inline content (only a hand-made tree has one): keep its text.
                    appendText(document.plainText(of: index), inLinkText: linkDepth > 0)
                    warnings.append(ConversionWarning(.input, at: position, "\(node.kind.displayName) inside inline content written as text"))
                    index = end
                    continue
                }
                index += 1
            }
        }

        private enum Closer {
            case syntax(String)
            /// The end tag of an inline written as HTML.
            case endHTML(String)
            case delimiter(Int)
            case endLinkText(String)
            case endImageText(String)
            case nothing
        }

        private mutating func wrapInHTML(_ open: String, _ close: String, _ what: String, at position: SourcePosition,
                                         warnings: inout [ConversionWarning]) -> Closer {
            guard syntax.allowsRawHTML else {
                warnings.append(ConversionWarning(.loss, at: position, "\(what) has no Markdown form; the text was kept without it"))
                return .nothing
            }
            pieces.append(.syntax(open))
            htmlDepth += 1
            return .endHTML(close)
        }

        mutating func appendText(_ text: String, inLinkText: Bool) {
            let scalars = Array(text.unicodeScalars)
            guard !scalars.isEmpty else { return }
            if case .text(let previous, let previousInLink)? = pieces.last, previousInLink == inLinkText {
                pieces[pieces.count - 1] = .text(previous + scalars, inLinkText: inLinkText)
            } else {
                pieces.append(.text(scalars, inLinkText: inLinkText))
            }
        }

        // MARK: Passes 2 to 5

        mutating func finish(warnings: inout [ConversionWarning]) -> String {
            chooseDelimiterCharacters()
            flagNestingWithOneCharacter()
            warnings += droppedSpans
            escapeText()
            fixFlanking(warnings: &warnings)
            var output = ""
            for (index, piece) in pieces.enumerated() {
                if case .syntax(let text) = piece, context == .tableCell {
                    // GFM splits a row at every unescaped pipe before it reads the cells,
                    // code spans and link destinations included.
                    output += text.replacing("|", with: "\\|")
                } else {
                    output += rendered(index, piece)
                }
            }
            return output
        }

        /// Neighbouring delimiters with the same character would fuse into one run (`**`
        /// where `*` and `*` were meant), so each span takes a character its neighbours
        /// do not use.
        private mutating func chooseDelimiterCharacters() {
            for (pieceIndex, piece) in pieces.enumerated() {
                guard case .delimiter(let index) = piece, delimiters[index].isOpener else { continue }
                let closer = delimiters[index].partner
                var taken: Set<Unicode.Scalar> = []
                // A closer right before an opener fuses with it (`*a**b*`); runs on the same
                // side (`**x*y***`) do not, so a plain layout shares characters there.
                var fusing: Set<Unicode.Scalar> = []
                for neighbour in [pieceIndex - 1, pieceIndex + 1, closer - 1, closer + 1] where pieces.indices.contains(neighbour) {
                    if case .delimiter(let other) = pieces[neighbour], other != index, let character = delimiterCharacter(other) {
                        taken.insert(character)
                        // Beside our opener, a closer fuses; beside our closer, an opener.
                        let besideOpener = neighbour == pieceIndex - 1 || neighbour == pieceIndex + 1
                        if delimiters[other].isOpener != besideOpener { fusing.insert(character) }
                    }
                }
                for neighbour in [pieceIndex - 1, pieceIndex + 1, closer - 1, closer + 1] where pieces.indices.contains(neighbour) {
                    switch pieces[neighbour] {
                    case .delimiter, .syntax, .lineBreak: delimiters[index].isRisky = true
                    case .text: break
                    }
                }
                if delimiters[index].isRisky { needsVerification = true }
                if attempt == .noDelimiters || (attempt == .riskySpansAsHTML && delimiters[index].isRisky) {
                    setFallback(of: index)
                    if !syntax.allowsRawHTML {
                        let node = delimiters[index].node
                        droppedSpans.append(ConversionWarning(.loss, at: document[node].range.start,
                                                              "\(document[node].kind.displayName) cannot be written unambiguously in Markdown here; the text was kept without it"))
                    }
                    continue
                }
                var candidates = delimiters[index].span.candidates
                if attempt == .underscoresFirst { candidates.reverse() }
                if attempt == .plain, let character = candidates.first(where: { !fusing.contains($0) }) {
                    // Neighbours on the same side may share the character; the read-back decides.
                    delimiters[index].character = character
                    if case .delimiter(let closing) = pieces[closer] { delimiters[closing].character = character }
                    if !taken.isEmpty { needsVerification = true }
                } else if let character = candidates.first(where: { !taken.contains($0) }) {
                    delimiters[index].character = character
                    if case .delimiter(let closing) = pieces[closer] { delimiters[closing].character = character }
                } else {
                    setFallback(of: index)
                }
            }
        }

        /// A span inside another written with the same character can pair with the outer
        /// one's delimiters instead of its own (`*a b*c*d e*`): such a run is read back.
        private mutating func flagNestingWithOneCharacter() {
            guard !needsVerification else { return }
            var open: [Unicode.Scalar: Int] = [:]
            for piece in pieces {
                guard case .delimiter(let index) = piece, let character = delimiterCharacter(index) else { continue }
                if delimiters[index].isOpener {
                    if open[character, default: 0] > 0 {
                        needsVerification = true
                        return
                    }
                    open[character, default: 0] += 1
                } else {
                    open[character, default: 0] -= 1
                }
            }
        }

        private func delimiterCharacter(_ index: Int) -> Unicode.Scalar? {
            delimiters[index].fallback == .none ? delimiters[index].character : nil
        }

        private mutating func setFallback(of opener: Int) {
            let fallback: Delimiter.Fallback = syntax.allowsRawHTML && !delimiters[opener].isInImage ? .html : .dropped
            delimiters[opener].fallback = fallback
            if case .delimiter(let closer) = pieces[delimiters[opener].partner] { delimiters[closer].fallback = fallback }
        }

        /// Escapes each text piece where its characters would otherwise be read as syntax.
        private mutating func escapeText() {
            let pipesAreSpecial = context == .tableCell
                || (syntax.extensions.contains(.table) && pieces.contains { if case .lineBreak = $0 { true } else { false } })
            for (index, piece) in pieces.enumerated() {
                guard case .text(let scalars, let inLinkText) = piece else { continue }
                let atLineStart = index == 0 || isLineBreak(index - 1)
                let endsLine = index == pieces.count - 1 || isLineBreak(index + 1)
                let following = index + 1 < pieces.count ? firstScalar(of: index + 1) : nil
                units[index] = escape(scalars, inLinkText: inLinkText, atLineStart: atLineStart, endsLine: endsLine,
                                      following: following, pipesAreSpecial: pipesAreSpecial,
                                      endsContent: index == pieces.count - 1)
            }
        }

        private func isLineBreak(_ index: Int) -> Bool {
            if case .lineBreak = pieces[index] { return true }
            return false
        }

        private func escape(_ scalars: [Unicode.Scalar], inLinkText: Bool, atLineStart: Bool, endsLine: Bool,
                            following: Unicode.Scalar?, pipesAreSpecial: Bool, endsContent: Bool) -> [String] {
            var result: [String] = []
            result.reserveCapacity(scalars.count)
            let strikethrough = syntax.extensions.contains(.strikethrough)
            let autolinks = syntax.extensions.contains(.autolink)
            // Whitespace at the start or the end of a line would be stripped.
            var leading = 0
            if atLineStart {
                while leading < scalars.count, scalars[leading] == " " || scalars[leading] == "\t" { leading += 1 }
            }
            var trailing = scalars.count
            if endsLine {
                while trailing > 0, scalars[trailing - 1] == " " || scalars[trailing - 1] == "\t" { trailing -= 1 }
            }
            let blockEscape = atLineStart && context == .paragraph && leading < scalars.count
                ? blockStartEscape(scalars, at: leading, endsLine: endsLine) : nil
            for (offset, scalar) in scalars.enumerated() {
                let previous: Unicode.Scalar? = offset > 0 ? scalars[offset - 1] : nil
                let next: Unicode.Scalar? = offset + 1 < scalars.count ? scalars[offset + 1] : following
                if offset < leading || offset >= trailing || scalar == "\n" || scalar == "\r" {
                    result.append(MarkdownCharacters.reference(scalar))
                    continue
                }
                if offset == blockEscape {
                    result.append("\\" + String(scalar))
                    continue
                }
                var needsEscape: Bool
                switch scalar {
                case "\\":
                    needsEscape = next.map { MarkdownCharacters.isASCIIPunctuation($0) || $0 == "\n" } ?? true
                case "`", "[":
                    needsEscape = true
                case "]":
                    needsEscape = inLinkText
                case "*":
                    needsEscape = !(previous.map(MarkdownCharacters.isWhitespace) == true
                                    && next.map(MarkdownCharacters.isWhitespace) == true)
                case "_":
                    needsEscape = !(previous.map(MarkdownCharacters.isAlphanumeric) == true
                                    && next.map(MarkdownCharacters.isAlphanumeric) == true)
                case "~":
                    needsEscape = strikethrough
                case "<":
                    needsEscape = next.map { MarkdownCharacters.isAlphanumeric($0) || $0 == "/" || $0 == "!" || $0 == "?" } ?? false
                case "&":
                    needsEscape = MarkdownCharacters.startsEntity(scalars, at: offset)
                case "|":
                    needsEscape = pipesAreSpecial
                case "!":
                    needsEscape = offset == scalars.count - 1 && following == "["
                case "#":
                    needsEscape = context == .heading && endsContent && scalars[offset...].allSatisfy { $0 == "#" }
                case "@":
                    needsEscape = autolinks && next.map(MarkdownCharacters.isAlphanumeric) == true
                        && previous.map { MarkdownCharacters.isAlphanumeric($0) || $0 == "." || $0 == "-" || $0 == "+" || $0 == "_" } == true
                case ":":
                    needsEscape = autolinks && offset + 2 < scalars.count && scalars[offset + 1] == "/" && scalars[offset + 2] == "/"
                case ".":
                    needsEscape = autolinks && offset >= 3
                        && String(String.UnicodeScalarView(scalars[(offset - 3)..<offset])).lowercased() == "www"
                default:
                    needsEscape = false
                }
                result.append(needsEscape ? "\\" + String(scalar) : String(scalar))
            }
            return result
        }

        /// Which character of a paragraph line that starts at `start` needs a backslash so
        /// the line does not start a block: a heading, quote, list item, rule, setext
        /// underline or fence. Nil when the line is harmless.
        private func blockStartEscape(_ scalars: [Unicode.Scalar], at start: Int, endsLine: Bool) -> Int? {
            let first = scalars[start]
            let rest = scalars[(start + 1)...]
            let blankAfter = { (offset: Int) -> Bool in
                let position = start + offset
                return position >= scalars.count ? endsLine : scalars[position] == " " || scalars[position] == "\t"
            }
            switch first {
            case "#":
                var count = 1
                while start + count < scalars.count, scalars[start + count] == "#" { count += 1 }
                return count <= 6 && blankAfter(count) ? start : nil
            case ">":
                return start
            case "+":
                return blankAfter(1) ? start : nil
            case "-", "=":
                let lineIsOnly = endsLine && rest.allSatisfy { $0 == first || $0 == " " || $0 == "\t" }
                return blankAfter(1) || lineIsOnly ? start : nil
            case "~":
                return rest.prefix(2).elementsEqual(["~", "~"]) ? start : nil
            case "0"..."9":
                // `1.` or `1)` and a blank: the delimiter takes the backslash.
                var count = 1
                while start + count < scalars.count, count < 10, ("0"..."9").contains(scalars[start + count]) { count += 1 }
                guard count <= 9, start + count < scalars.count else { return nil }
                let delimiter = scalars[start + count]
                return (delimiter == "." || delimiter == ")") && blankAfter(count + 1) ? start + count : nil
            default:
                return nil
            }
        }

        // MARK: Pass 4: make every delimiter flank

        /// A delimiter opens only if it is left-flanking, closes only if right-flanking;
        /// where a neighbour in the text prevents that, the neighbour is written as a
        /// character reference (`&#32;`, `&#97;`), which is punctuation to the parser but
        /// the same character to the reader.
        private mutating func fixFlanking(warnings: inout [ConversionWarning]) {
            for (pieceIndex, piece) in pieces.enumerated() {
                guard case .delimiter(let index) = piece, delimiters[index].isOpener,
                      delimiters[index].fallback == .none, let character = delimiters[index].character else { continue }
                let closer = delimiters[index].partner
                let before = units
                let openerOK = makeFlank(at: pieceIndex, opening: true, character: character)
                let closerOK = makeFlank(at: closer, opening: false, character: character)
                if before != units {
                    needsVerification = true
                    if attempt == .riskySpansAsHTML {
                        units = before
                        setFallback(of: index)
                        continue
                    }
                }
                if !(openerOK && closerOK) {
                    // The tags need no help from their neighbours: undo the references.
                    units = before
                    needsVerification = true
                    setFallback(of: index)
                    if !syntax.allowsRawHTML {
                        warnings.append(ConversionWarning(.loss, at: document[delimiters[index].node].range.start,
                                                          "\(document[delimiters[index].node].kind.displayName) cannot be written here in Markdown; the text was kept without it"))
                    }
                }
            }
        }

        private mutating func makeFlank(at pieceIndex: Int, opening: Bool, character: Unicode.Scalar) -> Bool {
            // cmark-gfm 0.29 does not count a strikethrough run as punctuation when it
            // decides whether a `*` or `_` run beside it flanks (`~~a~~*_b_*` stays text),
            // so for emphasis a `~~` neighbour counts as a letter.
            func neighbour(_ index: Int, _ scalar: Unicode.Scalar?) -> Unicode.Scalar? {
                guard character != "~", pieces.indices.contains(index), case .delimiter(let other) = pieces[index],
                      delimiters[other].span == .strikethrough, delimiters[other].fallback == .none else { return scalar }
                return "a"
            }
            func check() -> Bool {
                let before = neighbour(pieceIndex - 1, lastScalar(before: pieceIndex))
                let after = neighbour(pieceIndex + 1, firstScalar(after: pieceIndex))
                return opening ? MarkdownCharacters.canOpen(character, before: before, after: after)
                    : MarkdownCharacters.canClose(character, before: before, after: after)
            }
            if check() { return true }
            // Inside the span first (its first or last character), then outside.
            let inside = opening ? pieceIndex + 1 : pieceIndex - 1
            let outside = opening ? pieceIndex - 1 : pieceIndex + 1
            for neighbour in [inside, outside] {
                let before = lastScalar(before: pieceIndex)
                let after = firstScalar(after: pieceIndex)
                let adjacent = neighbour == pieceIndex - 1 ? before : after
                // Only a space or a letter is in the way; punctuation already flanks.
                guard let adjacent, !MarkdownCharacters.isPunctuation(adjacent) else { continue }
                if referenceBoundary(of: neighbour, atStart: neighbour > pieceIndex), check() { return true }
            }
            return check()
        }

        /// Replaces the first or last character of a text piece by its character reference.
        private mutating func referenceBoundary(of index: Int, atStart: Bool) -> Bool {
            usedCharacterReferences = true
            guard pieces.indices.contains(index), case .text(let scalars, _) = pieces[index],
                  var rendered = units[index], !rendered.isEmpty else { return false }
            let position = atStart ? 0 : rendered.count - 1
            rendered[position] = MarkdownCharacters.reference(scalars[position])
            units[index] = rendered
            return true
        }

        // MARK: Rendering

        private func rendered(_ index: Int, _ piece: Piece) -> String {
            switch piece {
            case .text:
                return (units[index] ?? []).joined()
            case .syntax(let text):
                // Raw HTML that starts a paragraph's later line would start an HTML block
                // there (`<div>`, `<!--`); indented four spaces the line can only go on
                // the paragraph, as a code block cannot interrupt one.
                if context == .paragraph, index > 0, isLineBreak(index - 1),
                   MarkdownCharacters.htmlBlockCanInterruptParagraph(text) {
                    return "    " + text
                }
                return text
            case .lineBreak(let hard):
                return hard ? "\\\n" : "\n"
            case .delimiter(let delimiterIndex):
                let delimiter = delimiters[delimiterIndex]
                switch delimiter.fallback {
                case .dropped:
                    return ""
                case .html:
                    let tags = delimiter.span.htmlTags
                    return delimiter.isOpener ? tags.open : tags.close
                case .none:
                    return String(repeating: String(delimiter.character ?? "*"), count: delimiter.span.width)
                }
            }
        }

        private func firstScalar(of index: Int) -> Unicode.Scalar? {
            switch pieces[index] {
            case .text(let scalars, _):
                if let first = units[index]?.first { return first.unicodeScalars.first }
                return scalars.first
            default:
                return rendered(index, pieces[index]).unicodeScalars.first
            }
        }

        private func lastScalar(of index: Int) -> Unicode.Scalar? {
            switch pieces[index] {
            case .text(let scalars, _):
                if let last = units[index]?.last { return last.unicodeScalars.last }
                return scalars.last
            default:
                return rendered(index, pieces[index]).unicodeScalars.last
            }
        }

        /// The character written just before piece `index` (nil at the start of the line).
        private func lastScalar(before index: Int) -> Unicode.Scalar? {
            var position = index - 1
            while position >= 0 {
                if let scalar = lastScalar(of: position) { return scalar }
                position -= 1
            }
            return nil
        }

        /// The character written just after piece `index` (nil at the end).
        private func firstScalar(after index: Int) -> Unicode.Scalar? {
            var position = index + 1
            while position < pieces.count {
                if let scalar = firstScalar(of: position) { return scalar }
                position += 1
            }
            return nil
        }
    }

    // MARK: Syntax helpers

    /// A code span whose fence is longer than any backtick run inside, padded where the
    /// content would otherwise lose a space or merge with the fence.
    static func codeSpan(_ content: String) -> String {
        let flat = content.replacing("\n", with: " ")
        var longest = 0
        var run = 0
        for scalar in flat.unicodeScalars {
            run = scalar == "`" ? run + 1 : 0
            longest = max(longest, run)
        }
        let fence = String(repeating: "`", count: longest + 1)
        let allSpaces = flat.unicodeScalars.allSatisfy { $0 == " " }
        let needsPadding = flat.hasPrefix("`") || flat.hasSuffix("`")
            || (!allSpaces && flat.hasPrefix(" ") && flat.hasSuffix(" "))
        let padding = needsPadding ? " " : ""
        return fence + padding + flat + padding + fence
    }

    /// `<…>` when the link is its own text and that is an absolute URI or an e-mail
    /// address; nil otherwise.
    static func autolink(destination: String, title: String, children: Range<Int>, in document: Document) -> String? {
        guard title.isEmpty, children.count == 1, case .text(let ref) = document[children.lowerBound].kind else { return nil }
        let text = document.string(ref)
        // `<…>` decodes entities, so a destination holding one must be written long-hand.
        let scalars = Array(destination.unicodeScalars)
        if scalars.indices.contains(where: { MarkdownCharacters.startsEntity(scalars, at: $0) }) { return nil }
        if text == destination && isAutolinkURI(text) { return "<\(text)>" }
        if destination == "mailto:" + text && isAutolinkEmail(text) { return "<\(text)>" }
        return nil
    }

    private static func isAutolinkURI(_ text: String) -> Bool {
        let scalars = Array(text.unicodeScalars)
        guard let colon = scalars.firstIndex(of: ":"), (2...32).contains(colon),
              ("a"..."z").contains(scalars[0]) || ("A"..."Z").contains(scalars[0]),
              scalars[1..<colon].allSatisfy({ MarkdownCharacters.isAlphanumeric($0) || $0 == "+" || $0 == "." || $0 == "-" })
        else { return false }
        return scalars[(colon + 1)...].allSatisfy { $0.value > 0x20 && $0.value != 0x7F && $0 != "<" && $0 != ">" }
    }

    private static func isAutolinkEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return false }
        let localAllowed = Set(".!#$%&'*+/=?^_`{|}~-".unicodeScalars)
        guard parts[0].unicodeScalars.allSatisfy({ MarkdownCharacters.isAlphanumeric($0) || localAllowed.contains($0) }) else { return false }
        return parts[1].split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            !label.isEmpty && label.count <= 63 && label.first != "-" && label.last != "-"
                && label.unicodeScalars.allSatisfy { MarkdownCharacters.isAlphanumeric($0) || $0 == "-" }
        }
    }

    /// `dest "title"` for inside `(…)`.
    static func destinationAndTitle(_ destination: String, _ title: String) -> String {
        var result = linkDestination(destination)
        if !title.isEmpty {
            var escaped = ""
            let scalars = Array(title.unicodeScalars)
            for (offset, scalar) in scalars.enumerated() {
                switch scalar {
                case "\"", "\\": escaped += "\\" + String(scalar)
                // In titles and destinations cmark decodes entities before backslash
                // escapes, so only `&amp;` keeps an `&` that starts one.
                case "&" where MarkdownCharacters.startsEntity(scalars, at: offset): escaped += "&amp;"
                default: escaped.unicodeScalars.append(scalar)
                }
            }
            result += " \"" + escaped + "\""
        }
        return result
    }

    /// A link destination: bare where it can be, `<…>` where it has spaces or unbalanced
    /// parentheses.
    static func linkDestination(_ destination: String) -> String {
        let scalars = Array(destination.unicodeScalars)
        var depth = 0
        var balanced = true
        for scalar in scalars {
            if scalar == "(" { depth += 1 }
            if scalar == ")" { depth -= 1; if depth < 0 { balanced = false } }
        }
        balanced = balanced && depth == 0
        let needsBrackets = scalars.isEmpty || !balanced
            || scalars.contains { $0.value <= 0x20 || $0.value == 0x7F || $0 == "<" || $0 == ">" }
        var result = needsBrackets ? "<" : ""
        for (offset, scalar) in scalars.enumerated() {
            switch scalar {
            case "\\" where offset + 1 == scalars.count || MarkdownCharacters.isASCIIPunctuation(scalars[offset + 1]):
                result += "\\\\"
            case "<" where needsBrackets, ">" where needsBrackets:
                result += "\\" + String(scalar)
            case "&" where MarkdownCharacters.startsEntity(scalars, at: offset):
                result += "&amp;"
            case "\n":
                result += "%0A"
            default:
                result.unicodeScalars.append(scalar)
            }
        }
        return needsBrackets ? result + ">" : result
    }

    static func htmlImage(_ image: ImageAttributes, alt: String) -> String {
        func attribute(_ value: String) -> String {
            value.replacing("&", with: "&amp;").replacing("\"", with: "&quot;")
                .replacing("<", with: "&lt;")
        }
        var html = "<img src=\"\(attribute(image.source))\" alt=\"\(attribute(alt))\""
        if !image.title.isEmpty { html += " title=\"\(attribute(image.title))\"" }
        if let width = image.width { html += " width=\"\(width)\"" }
        if let height = image.height { html += " height=\"\(height)\"" }
        return html + " />"
    }
}
