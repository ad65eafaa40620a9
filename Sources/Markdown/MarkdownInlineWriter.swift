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
        /// Text to escape, as UTF-8; `inLinkText` makes `]` special.
        case text([UInt8], inLinkText: Bool)
        /// Syntax written exactly as given.
        case syntax([UInt8])
        case lineBreak(hard: Bool)
        /// Index into `delimiters`.
        case delimiter(Int)
    }

    /// A text piece once escaped: the bytes to write, and where the units of its first
    /// and last characters lie, since a delimiter beside it may need either written as a
    /// character reference instead.
    private struct EscapedText {
        var bytes: [UInt8]
        /// `bytes[..<firstUnitEnd]` were written for the first character.
        var firstUnitEnd: Int
        /// `bytes[lastUnitStart...]` were written for the last character.
        var lastUnitStart: Int
        var firstCharacter: Unicode.Scalar
        var lastCharacter: Unicode.Scalar
        var referencesFirst = false
        var referencesLast = false

        /// A single character's unit is both the first and the last.
        var isOneUnit: Bool { lastUnitStart == 0 }

        func write(to output: inout [UInt8]) {
            if isOneUnit {
                if referencesFirst || referencesLast {
                    MarkdownCharacters.appendReference(firstCharacter, to: &output)
                } else {
                    output.append(contentsOf: bytes)
                }
                return
            }
            if referencesFirst {
                MarkdownCharacters.appendReference(firstCharacter, to: &output)
            } else {
                output.append(contentsOf: bytes[..<firstUnitEnd])
            }
            output.append(contentsOf: bytes[firstUnitEnd..<lastUnitStart])
            if referencesLast {
                MarkdownCharacters.appendReference(lastCharacter, to: &output)
            } else {
                output.append(contentsOf: bytes[lastUnitStart...])
            }
        }

        /// The first character written (`&` where it became a reference).
        var firstWritten: Unicode.Scalar {
            referencesFirst || (isOneUnit && referencesLast) ? "&" : MarkdownCharacters.scalar(in: bytes, at: 0).scalar
        }

        /// The last character written (`;` where it became a reference).
        var lastWritten: Unicode.Scalar {
            referencesLast || (isOneUnit && referencesFirst) ? ";" : MarkdownCharacters.scalar(in: bytes, endingAt: bytes.count)
        }
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
    func renderText(_ text: String) -> [UInt8] {
        var layout = Layout(document: document, syntax: syntax, context: .paragraph, attempt: .asterisksFirst)
        for (offset, line) in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            if offset > 0 { layout.pieces.append(.lineBreak(hard: false)) }
            layout.appendText(line, inLinkText: false)
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
    func render(childrenOf parent: Int, context: Context, warnings: inout [ConversionWarning]) -> [UInt8] {
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
    private func readsBack(_ bytes: [UInt8], asChildrenOf parent: Int, context: Context, sameRenderingSuffices: Bool) -> Bool {
        let text = String(decoding: bytes, as: UTF8.self)
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
        /// Text pieces once escaped, by piece index.
        var escaped: [EscapedText?] = []
        /// The character references set at text boundaries, in order, so that a
        /// delimiter's attempt can be taken back.
        var referenceLog: [(piece: Int, atStart: Bool)] = []

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
                    case .syntax(let bytes): pieces.append(.syntax(bytes))
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
                    appendText(document.bytes(ref), inLinkText: linkDepth > 0)
                case .softBreak:
                    if context == .paragraph {
                        pieces.append(.lineBreak(hard: false))
                    } else {
                        appendText(CollectionOfOne(UInt8(ascii: " ")), inLinkText: linkDepth > 0)
                    }
                case .lineBreak:
                    if context == .paragraph {
                        pieces.append(.lineBreak(hard: true))
                    } else if syntax.allowsRawHTML {
                        pieces.append(.syntax(Array("<br />".utf8)))
                    } else {
                        appendText(CollectionOfOne(UInt8(ascii: " ")), inLinkText: linkDepth > 0)
                        warnings.append(ConversionWarning(.loss, at: position,
                                                          "line break inside a \(context == .heading ? "heading" : "table cell") written as a space"))
                    }
                case .code(let ref):
                    let content = document.bytes(ref)
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
                        pieces.append(.syntax([UInt8(ascii: "[")]))
                        linkDepth += 1
                        closers.append((end, .endLinkText(MarkdownInlineWriter.linkEnd(destination, title))))
                    }
                case .image(let image):
                    if (image.width != nil || image.height != nil) && syntax.allowsRawHTML {
                        pieces.append(.syntax(Array(MarkdownInlineWriter.htmlImage(image, alt: document.plainText(of: index)).utf8)))
                        index = end
                        continue
                    }
                    if image.width != nil || image.height != nil {
                        warnings.append(ConversionWarning(.loss, at: position, "image width and height have no Markdown form; left out"))
                    }
                    pieces.append(.syntax([UInt8(ascii: "!"), UInt8(ascii: "[")]))
                    linkDepth += 1
                    imageDepth += 1
                    closers.append((end, .endImageText(MarkdownInlineWriter.linkEnd(image.source, image.title))))
                case .footnoteReference(let label):
                    if syntax.extensions.contains(.footnotes) {
                        pieces.append(.syntax(Array("[^\(label)]".utf8)))
                    } else {
                        appendText("[^\(label)]".utf8, inLinkText: linkDepth > 0)
                        warnings.append(ConversionWarning(.loss, at: position, "footnote reference written as text (footnotes are off)"))
                    }
                case .rawInline(let format, let ref):
                    if format == .html && syntax.allowsRawHTML {
                        pieces.append(.syntax(Array(document.bytes(ref))))
                    } else {
                        appendText(document.bytes(ref), inLinkText: linkDepth > 0)
                        warnings.append(ConversionWarning(.loss, at: position, "raw \(format) written as text"))
                    }
                case .paragraph, .heading, .thematicBreak, .blockQuote, .list, .listItem, .codeBlock, .table,
                     .tableRow, .tableCell, .footnoteDefinition, .alignment, .spoiler, .rawBlock:
                    // A block inside inline content (only a hand-made tree has one): keep its text.
                    appendText(document.plainText(of: index).utf8, inLinkText: linkDepth > 0)
                    warnings.append(ConversionWarning(.input, at: position, "\(node.kind.displayName) inside inline content written as text"))
                    index = end
                    continue
                }
                index += 1
            }
        }

        private enum Closer {
            case syntax([UInt8])
            /// The end tag of an inline written as HTML.
            case endHTML([UInt8])
            case delimiter(Int)
            case endLinkText([UInt8])
            case endImageText([UInt8])
            case nothing
        }

        private mutating func wrapInHTML(_ open: String, _ close: String, _ what: String, at position: SourcePosition,
                                         warnings: inout [ConversionWarning]) -> Closer {
            guard syntax.allowsRawHTML else {
                warnings.append(ConversionWarning(.loss, at: position, "\(what) has no Markdown form; the text was kept without it"))
                return .nothing
            }
            pieces.append(.syntax(Array(open.utf8)))
            htmlDepth += 1
            return .endHTML(Array(close.utf8))
        }

        mutating func appendText(_ text: some Collection<UInt8>, inLinkText: Bool) {
            guard !text.isEmpty else { return }
            if case .text(var previous, let previousInLink)? = pieces.last, previousInLink == inLinkText {
                // Taken out first, so the bytes are extended in place, not copied.
                pieces[pieces.count - 1] = .lineBreak(hard: false)
                previous.append(contentsOf: text)
                pieces[pieces.count - 1] = .text(previous, inLinkText: inLinkText)
            } else {
                pieces.append(.text(Array(text), inLinkText: inLinkText))
            }
        }

        // MARK: Passes 2 to 5

        mutating func finish(warnings: inout [ConversionWarning]) -> [UInt8] {
            chooseDelimiterCharacters()
            flagNestingWithOneCharacter()
            warnings += droppedSpans
            escapeText()
            fixFlanking(warnings: &warnings)
            var output: [UInt8] = []
            output.reserveCapacity(pieces.reduce(0) { total, piece in
                switch piece {
                case .text(let bytes, _), .syntax(let bytes): total + bytes.count + 8
                case .lineBreak, .delimiter: total + 3
                }
            })
            for (index, piece) in pieces.enumerated() {
                if case .syntax(let bytes) = piece, context == .tableCell {
                    // GFM splits a row at every unescaped pipe before it reads the cells,
                    // code spans and link destinations included.
                    for byte in bytes {
                        if byte == UInt8(ascii: "|") { output.append(UInt8(ascii: "\\")) }
                        output.append(byte)
                    }
                } else {
                    write(index, piece, to: &output)
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
            escaped = Array(repeating: nil, count: pieces.count)
            for (index, piece) in pieces.enumerated() {
                guard case .text(let bytes, let inLinkText) = piece else { continue }
                let atLineStart = index == 0 || isLineBreak(index - 1)
                let endsLine = index == pieces.count - 1 || isLineBreak(index + 1)
                let following = index + 1 < pieces.count ? firstScalar(of: index + 1) : nil
                escaped[index] = escape(bytes, inLinkText: inLinkText, atLineStart: atLineStart, endsLine: endsLine,
                                        following: following, pipesAreSpecial: pipesAreSpecial,
                                        endsContent: index == pieces.count - 1)
            }
        }

        private func isLineBreak(_ index: Int) -> Bool {
            if case .lineBreak = pieces[index] { return true }
            return false
        }

        /// Escapes one text piece. Every character Markdown gives a meaning is ASCII, so
        /// the rules look at bytes, decoding a neighbour only where it is not ASCII.
        private func escape(_ text: [UInt8], inLinkText: Bool, atLineStart: Bool, endsLine: Bool,
                            following: Unicode.Scalar?, pipesAreSpecial: Bool, endsContent: Bool) -> EscapedText {
            let count = text.count
            var output: [UInt8] = []
            output.reserveCapacity(count + count / 16 + 4)
            let strikethrough = syntax.extensions.contains(.strikethrough)
            let autolinks = syntax.extensions.contains(.autolink)
            let space = UInt8(ascii: " "), tab = UInt8(ascii: "\t"), backslash = UInt8(ascii: "\\")
            // Whitespace at the start or the end of a line would be stripped.
            var leading = 0
            if atLineStart {
                while leading < count, text[leading] == space || text[leading] == tab { leading += 1 }
            }
            var trailing = count
            if endsLine {
                while trailing > 0, text[trailing - 1] == space || text[trailing - 1] == tab { trailing -= 1 }
            }
            let blockEscape = atLineStart && context == .paragraph && leading < count
                ? blockStartEscape(text, at: leading, endsLine: endsLine) : nil
            func previous(_ offset: Int) -> Unicode.Scalar? {
                offset > 0 ? MarkdownCharacters.scalar(in: text, endingAt: offset) : nil
            }
            func next(_ offset: Int) -> Unicode.Scalar? {
                offset + 1 < count ? MarkdownCharacters.scalar(in: text, at: offset + 1).scalar : following
            }
            var firstUnitEnd = 0
            var lastUnitStart = 0
            var offset = 0
            while offset < count {
                let byte = text[offset]
                let unitStart = output.count
                var length = 1
                if byte >= 0x80 {
                    length = min(MarkdownCharacters.utf8Length(byte), count - offset)
                    output.append(contentsOf: text[offset..<offset + length])
                } else if offset < leading || offset >= trailing || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                    MarkdownCharacters.appendReference(Unicode.Scalar(byte), to: &output)
                } else if offset == blockEscape {
                    output.append(backslash)
                    output.append(byte)
                } else {
                    let needsEscape: Bool
                    switch byte {
                    case UInt8(ascii: "\\"):
                        needsEscape = next(offset).map { MarkdownCharacters.isASCIIPunctuation($0) || $0 == "\n" } ?? true
                    case UInt8(ascii: "`"), UInt8(ascii: "["):
                        needsEscape = true
                    case UInt8(ascii: "]"):
                        needsEscape = inLinkText
                    case UInt8(ascii: "*"):
                        needsEscape = !(previous(offset).map(MarkdownCharacters.isWhitespace) == true
                                        && next(offset).map(MarkdownCharacters.isWhitespace) == true)
                    case UInt8(ascii: "_"):
                        needsEscape = !(previous(offset).map(MarkdownCharacters.isAlphanumeric) == true
                                        && next(offset).map(MarkdownCharacters.isAlphanumeric) == true)
                    case UInt8(ascii: "~"):
                        needsEscape = strikethrough
                    case UInt8(ascii: "<"):
                        needsEscape = next(offset).map { MarkdownCharacters.isAlphanumeric($0) || $0 == "/" || $0 == "!" || $0 == "?" } ?? false
                    case UInt8(ascii: "&"):
                        needsEscape = MarkdownCharacters.startsEntity(text, at: offset)
                    case UInt8(ascii: "|"):
                        needsEscape = pipesAreSpecial
                    case UInt8(ascii: "!"):
                        needsEscape = offset == count - 1 && following == "["
                    case UInt8(ascii: "#"):
                        needsEscape = context == .heading && endsContent && text[offset...].allSatisfy { $0 == UInt8(ascii: "#") }
                    case UInt8(ascii: "@"):
                        needsEscape = autolinks && next(offset).map(MarkdownCharacters.isAlphanumeric) == true
                            && previous(offset).map { MarkdownCharacters.isAlphanumeric($0) || $0 == "." || $0 == "-" || $0 == "+" || $0 == "_" } == true
                    case UInt8(ascii: ":"):
                        needsEscape = autolinks && offset + 2 < count && text[offset + 1] == UInt8(ascii: "/")
                            && text[offset + 2] == UInt8(ascii: "/")
                    case UInt8(ascii: "."):
                        needsEscape = autolinks && offset >= 3
                            && text[(offset - 3)..<offset].allSatisfy { $0 | 0x20 == UInt8(ascii: "w") }
                    default:
                        needsEscape = false
                    }
                    if needsEscape { output.append(backslash) }
                    output.append(byte)
                }
                if offset == 0 { firstUnitEnd = output.count }
                if offset + length >= count { lastUnitStart = unitStart }
                offset += length
            }
            return EscapedText(bytes: output, firstUnitEnd: firstUnitEnd, lastUnitStart: lastUnitStart,
                               firstCharacter: MarkdownCharacters.scalar(in: text, at: 0).scalar,
                               lastCharacter: MarkdownCharacters.scalar(in: text, endingAt: count))
        }

        /// Which byte of a paragraph line that starts at `start` needs a backslash so the
        /// line does not start a block: a heading, quote, list item, rule, setext
        /// underline or fence. Nil when the line is harmless.
        private func blockStartEscape(_ text: [UInt8], at start: Int, endsLine: Bool) -> Int? {
            let first = text[start]
            let rest = text[(start + 1)...]
            let blankAfter = { (offset: Int) -> Bool in
                let position = start + offset
                return position >= text.count ? endsLine : text[position] == UInt8(ascii: " ") || text[position] == UInt8(ascii: "\t")
            }
            switch first {
            case UInt8(ascii: "#"):
                var count = 1
                while start + count < text.count, text[start + count] == UInt8(ascii: "#") { count += 1 }
                return count <= 6 && blankAfter(count) ? start : nil
            case UInt8(ascii: ">"):
                return start
            case UInt8(ascii: "+"):
                return blankAfter(1) ? start : nil
            case UInt8(ascii: "-"), UInt8(ascii: "="):
                let lineIsOnly = endsLine && rest.allSatisfy { $0 == first || $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
                return blankAfter(1) || lineIsOnly ? start : nil
            case UInt8(ascii: "~"):
                return rest.prefix(2).elementsEqual([UInt8(ascii: "~"), UInt8(ascii: "~")]) ? start : nil
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                // `1.` or `1)` and a blank: the delimiter takes the backslash.
                var count = 1
                while start + count < text.count, count < 10, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(text[start + count]) {
                    count += 1
                }
                guard count <= 9, start + count < text.count else { return nil }
                let delimiter = text[start + count]
                return (delimiter == UInt8(ascii: ".") || delimiter == UInt8(ascii: ")")) && blankAfter(count + 1) ? start + count : nil
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
                let before = referenceLog.count
                let openerOK = makeFlank(at: pieceIndex, opening: true, character: character)
                let closerOK = makeFlank(at: closer, opening: false, character: character)
                if referenceLog.count != before {
                    needsVerification = true
                    if attempt == .riskySpansAsHTML {
                        takeBackReferences(to: before)
                        setFallback(of: index)
                        continue
                    }
                }
                if !(openerOK && closerOK) {
                    // The tags need no help from their neighbours: undo the references.
                    takeBackReferences(to: before)
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

        /// Writes the first or last character of a text piece as its character reference.
        private mutating func referenceBoundary(of index: Int, atStart: Bool) -> Bool {
            usedCharacterReferences = true
            guard pieces.indices.contains(index), var text = escaped[index] else { return false }
            guard !(atStart ? text.referencesFirst : text.referencesLast) else { return true }
            if atStart { text.referencesFirst = true } else { text.referencesLast = true }
            escaped[index] = text
            referenceLog.append((index, atStart))
            return true
        }

        /// Takes back the references set since the log held `count` entries.
        private mutating func takeBackReferences(to count: Int) {
            while referenceLog.count > count {
                let entry = referenceLog.removeLast()
                if entry.atStart { escaped[entry.piece]?.referencesFirst = false }
                else { escaped[entry.piece]?.referencesLast = false }
            }
        }

        // MARK: Rendering

        /// Raw HTML that starts a paragraph's later line would start an HTML block there
        /// (`<div>`, `<!--`); indented four spaces the line can only go on the paragraph,
        /// as a code block cannot interrupt one.
        private func needsIndent(_ index: Int, _ bytes: [UInt8]) -> Bool {
            guard context == .paragraph, index > 0, isLineBreak(index - 1),
                  bytes.first(where: { $0 != UInt8(ascii: " ") }) == UInt8(ascii: "<") else { return false }
            return MarkdownCharacters.htmlBlockCanInterruptParagraph(String(decoding: bytes, as: UTF8.self))
        }

        private func write(_ index: Int, _ piece: Piece, to output: inout [UInt8]) {
            switch piece {
            case .text:
                escaped[index]?.write(to: &output)
            case .syntax(let bytes):
                if needsIndent(index, bytes) { output.append(contentsOf: "    ".utf8) }
                output.append(contentsOf: bytes)
            case .lineBreak(let hard):
                if hard { output.append(UInt8(ascii: "\\")) }
                output.append(UInt8(ascii: "\n"))
            case .delimiter(let delimiterIndex):
                let delimiter = delimiters[delimiterIndex]
                switch delimiter.fallback {
                case .dropped:
                    break
                case .html:
                    let tags = delimiter.span.htmlTags
                    output.append(contentsOf: (delimiter.isOpener ? tags.open : tags.close).utf8)
                case .none:
                    let character = UInt8(ascii: delimiter.character ?? "*")
                    for _ in 0..<delimiter.span.width { output.append(character) }
                }
            }
        }

        private func firstScalar(of index: Int) -> Unicode.Scalar? {
            switch pieces[index] {
            case .text(let bytes, _):
                if let text = escaped.indices.contains(index) ? escaped[index] : nil { return text.firstWritten }
                return MarkdownCharacters.scalar(in: bytes, at: 0).scalar
            case .syntax(let bytes):
                if bytes.isEmpty { return nil }
                return needsIndent(index, bytes) ? " " : MarkdownCharacters.scalar(in: bytes, at: 0).scalar
            case .lineBreak(let hard):
                return hard ? "\\" : "\n"
            case .delimiter(let delimiterIndex):
                return delimiterScalar(delimiterIndex, first: true)
            }
        }

        private func lastScalar(of index: Int) -> Unicode.Scalar? {
            switch pieces[index] {
            case .text(let bytes, _):
                if let text = escaped.indices.contains(index) ? escaped[index] : nil { return text.lastWritten }
                return MarkdownCharacters.scalar(in: bytes, endingAt: bytes.count)
            case .syntax(let bytes):
                return bytes.isEmpty ? nil : MarkdownCharacters.scalar(in: bytes, endingAt: bytes.count)
            case .lineBreak:
                return "\n"
            case .delimiter(let delimiterIndex):
                return delimiterScalar(delimiterIndex, first: false)
            }
        }

        private func delimiterScalar(_ index: Int, first: Bool) -> Unicode.Scalar? {
            let delimiter = delimiters[index]
            switch delimiter.fallback {
            case .dropped: return nil
            case .html: return first ? "<" : ">"
            case .none: return delimiter.character ?? "*"
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
    static func codeSpan(_ content: some Collection<UInt8>) -> [UInt8] {
        let backtick = UInt8(ascii: "`"), space = UInt8(ascii: " ")
        var longest = 0
        var run = 0
        var allSpaces = true
        for byte in content {
            run = byte == backtick ? run + 1 : 0
            longest = max(longest, run)
            // A line end inside becomes a space.
            if byte != space && byte != UInt8(ascii: "\n") { allSpaces = false }
        }
        func flat(_ byte: UInt8?) -> UInt8? { byte == UInt8(ascii: "\n") ? space : byte }
        let first = flat(content.first), last = flat(content.reversed().first)
        let needsPadding = first == backtick || last == backtick || (!allSpaces && first == space && last == space)
        var result: [UInt8] = []
        result.reserveCapacity(content.count + 2 * longest + 4)
        for _ in 0...longest { result.append(backtick) }
        if needsPadding { result.append(space) }
        for byte in content { result.append(byte == UInt8(ascii: "\n") ? space : byte) }
        if needsPadding { result.append(space) }
        for _ in 0...longest { result.append(backtick) }
        return result
    }

    /// `<…>` when the link is its own text and that is an absolute URI or an e-mail
    /// address; nil otherwise.
    static func autolink(destination: String, title: String, children: Range<Int>, in document: Document) -> [UInt8]? {
        guard title.isEmpty, children.count == 1, case .text(let ref) = document[children.lowerBound].kind else { return nil }
        let text = document.bytes(ref)
        let destinationBytes = Array(destination.utf8)
        let isURI = text.elementsEqual(destinationBytes)
        let isEmail = !isURI && destinationBytes.count == text.count + 7 && destination.hasPrefix("mailto:")
            && destinationBytes[7...].elementsEqual(text)
        guard isURI || isEmail else { return nil }
        // `<…>` decodes entities, so a destination holding one must be written long-hand.
        if destinationBytes.indices.contains(where: { MarkdownCharacters.startsEntity(destinationBytes, at: $0) }) { return nil }
        let string = document.string(ref)
        guard isURI ? isAutolinkURI(string) : isAutolinkEmail(string) else { return nil }
        return [UInt8(ascii: "<")] + text + [UInt8(ascii: ">")]
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

    /// `](dest "title")`, which ends a link's or an image's text.
    static func linkEnd(_ destination: String, _ title: String) -> [UInt8] {
        var result: [UInt8] = [UInt8(ascii: "]"), UInt8(ascii: "(")]
        result.reserveCapacity(destination.utf8.count + title.utf8.count + 8)
        appendDestination(destination, to: &result)
        if !title.isEmpty {
            let bytes = Array(title.utf8)
            result.append(contentsOf: " \"".utf8)
            for (offset, byte) in bytes.enumerated() {
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                    result.append(UInt8(ascii: "\\"))
                    result.append(byte)
                // In titles and destinations cmark decodes entities before backslash
                // escapes, so only `&amp;` keeps an `&` that starts one.
                case UInt8(ascii: "&") where MarkdownCharacters.startsEntity(bytes, at: offset):
                    result.append(contentsOf: "&amp;".utf8)
                default:
                    result.append(byte)
                }
            }
            result.append(UInt8(ascii: "\""))
        }
        result.append(UInt8(ascii: ")"))
        return result
    }

    /// A link destination: bare where it can be, `<…>` where it has spaces or unbalanced
    /// parentheses.
    static func appendDestination(_ destination: String, to result: inout [UInt8]) {
        let bytes = Array(destination.utf8)
        var depth = 0
        var balanced = true
        var needsBrackets = bytes.isEmpty
        for byte in bytes {
            if byte == UInt8(ascii: "(") { depth += 1 }
            if byte == UInt8(ascii: ")") { depth -= 1; if depth < 0 { balanced = false } }
            if byte <= 0x20 || byte == 0x7F || byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">") { needsBrackets = true }
        }
        needsBrackets = needsBrackets || !balanced || depth != 0
        if needsBrackets { result.append(UInt8(ascii: "<")) }
        for (offset, byte) in bytes.enumerated() {
            switch byte {
            case UInt8(ascii: "<") where needsBrackets, UInt8(ascii: ">") where needsBrackets:
                result.append(UInt8(ascii: "\\"))
                result.append(byte)
            case UInt8(ascii: "\n"):
                result.append(contentsOf: "%0A".utf8)
            default:
                MarkdownCharacters.appendForDestination(bytes, at: offset, to: &result)
            }
        }
        if needsBrackets { result.append(UInt8(ascii: ">")) }
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
