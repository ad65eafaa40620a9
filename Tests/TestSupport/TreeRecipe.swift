import MarkupKitCore

/// Builds a document from a list of bytes, each byte choosing the next step among those
/// valid where the builder stands. Property tests generate the bytes: shrinking a failing
/// list of bytes (dropping some, lowering others) shrinks the tree with it, so a failure
/// is reported on a small document.
///
/// The trees are the kind a reader produces: no empty paragraphs, formatting around at
/// least one word, words joined by single spaces, line breaks only between words.
public struct TreeRecipe {
    public struct Options: Sendable {
        /// How deep lists may nest.
        public var maximumListDepth = 4
        /// Whether list items may hold quotes and headings (FluxBB rejects both there).
        public var quotesAndHeadingsInItems = true

        public init(maximumListDepth: Int = 4, quotesAndHeadingsInItems: Bool = true) {
            self.maximumListDepth = maximumListDepth
            self.quotesAndHeadingsInItems = quotesAndHeadingsInItems
        }
    }

    /// Words that are plain in one format and markup in another.
    public static let words = ["alpha", "beta", "gamma", "[b]", "[/b]", "[*]", "[quote]", "[/list]", "[code]", "*",
                               "a&b", "why?", "über", "日本", "[url=x]", "[", "]", "#1", "x_y", "[hr]", "[/*]", "<b>"]
    public static let destinations = ["https://example.com/a?b=1&c=2", "http://example.org/path_(x)", "/relative/page",
                                      "https://example.com/ü?q=日本"]

    private let bytes: [UInt8]
    private var position = 0
    private let options: Options
    private var builder = DocumentBuilder()

    public static func document(from bytes: [UInt8], options: Options = Options()) -> Document {
        var recipe = TreeRecipe(bytes: bytes, options: options)
        recipe.blocks(count: 1 + recipe.choose(4), depth: 0, listDepth: 0)
        return recipe.builder.finish()
    }

    private init(bytes: [UInt8], options: Options) {
        self.bytes = bytes
        self.options = options
    }

    /// The next choice among `count`; 0 once the bytes run out, which ends every loop.
    private mutating func choose(_ count: Int) -> Int {
        guard position < bytes.count else { return 0 }
        defer { position += 1 }
        return Int(bytes[position]) % count
    }

    private var exhausted: Bool { position >= bytes.count }

    // MARK: Blocks

    private mutating func blocks(count: Int, depth: Int, listDepth: Int, looseItem: Bool = true, inItem: Bool = false) {
        // An item's blocks follow the paragraph that opens it.
        var previousWasParagraph = inItem
        for _ in 0..<count {
            // In an item of a tight list two paragraphs cannot follow each other (the blank
            // line between them would make the list loose).
            let paragraphAllowed = looseItem || !previousWasParagraph
            previousWasParagraph = block(depth: depth, listDepth: listDepth, paragraphAllowed: paragraphAllowed, inItem: inItem)
            if exhausted { break }
        }
    }

    /// Adds one block; returns whether it was a paragraph.
    private mutating func block(depth: Int, listDepth: Int, paragraphAllowed: Bool, inItem: Bool) -> Bool {
        let blocksAllowed = depth < 4
        switch choose(10) {
        case 0, 1, 2:
            if paragraphAllowed {
                paragraph()
                return true
            }
            codeBlock()
        case 3:
            if inItem && !options.quotesAndHeadingsInItems || !paragraphAllowed {
                codeBlock()
            } else {
                builder.open(.heading(level: 1 + choose(6)))
                inlines(depth: 0, inLink: false)
                builder.close()
            }
        case 4:
            codeBlock()
        case 5:
            if paragraphAllowed {
                builder.addLeaf(.thematicBreak)
            } else {
                codeBlock()
            }
        case 6 where blocksAllowed && (!inItem || options.quotesAndHeadingsInItems):
            let attribution = [nil, "Alice", "Bob Smith", "O'Brien"][choose(4)]
            builder.open(.blockQuote(attribution: attribution))
            blocks(count: 1 + choose(2), depth: depth + 1, listDepth: listDepth)
            builder.close()
        case 7 where listDepth < options.maximumListDepth, 8 where listDepth < options.maximumListDepth:
            list(depth: depth, listDepth: listDepth)
        case 9 where blocksAllowed && !inItem:
            if choose(2) == 0 {
                builder.open(.alignment(TextAlignment.allCases[choose(4)]))
            } else {
                builder.open(.spoiler(title: [nil, "Plot", "Read me"][choose(3)]))
            }
            blocks(count: 1 + choose(2), depth: depth + 1, listDepth: listDepth)
            builder.close()
        default:
            if paragraphAllowed {
                paragraph()
                return true
            }
            codeBlock()
        }
        return false
    }

    private mutating func paragraph() {
        builder.open(.paragraph)
        inlines(depth: 0, inLink: false)
        builder.close()
    }

    private mutating func codeBlock() {
        let language = ["", "swift", "php", "sh"][choose(4)]
        let lines = ["let x = [b]1", "  indented()", "a & b < c", "[*] not an item", "echo \"[/b]\""]
        var code = ""
        for _ in 0...choose(3) { code += lines[choose(lines.count)] + "\n" }
        builder.addLeaf(.codeBlock(info: language, code: builder.storeText(code)))
    }

    private mutating func list(depth: Int, listDepth: Int) {
        let kind: ListKind
        switch choose(4) {
        case 0, 1: kind = .bullet
        case 2: kind = .ordered(start: 1, numbering: .decimal)
        default: kind = .ordered(start: [1, 3, 10][choose(3)], numbering: NumberingStyle.allCases[choose(5)])
        }
        let tight = choose(3) != 0
        builder.open(.list(ListAttributes(kind: kind, isTight: tight)))
        for _ in 0...choose(3) {
            builder.open(.listItem(task: nil))
            paragraph()
            if !exhausted && choose(2) == 0 {
                blocks(count: 1 + choose(2), depth: depth + 1, listDepth: listDepth + 1, looseItem: !tight, inItem: true)
            }
            builder.close()
        }
        builder.close()
    }

    // MARK: Inlines

    private mutating func inlines(depth: Int, inLink: Bool) {
        let count = 1 + choose(4)
        for number in 0..<count {
            if number > 0 {
                switch choose(6) {
                case 0: break  // glued: `a[b]b[/b]`
                case 1 where depth == 0: builder.addLeaf(.lineBreak)
                default: builder.addText(" ")
                }
            }
            inline(depth: depth, inLink: inLink)
        }
    }

    private mutating func inline(depth: Int, inLink: Bool) {
        let nests = depth < 3
        switch choose(14) {
        case 4 where nests: formatted(.strong, depth: depth, inLink: inLink)
        case 5 where nests: formatted(.emphasis, depth: depth, inLink: inLink)
        case 6 where nests: formatted(.strikethrough, depth: depth, inLink: inLink)
        case 7 where nests: formatted(.underline, depth: depth, inLink: inLink)
        case 8 where nests: formatted(choose(2) == 0 ? .superscript : .subscript, depth: depth, inLink: inLink)
        case 9:
            builder.addLeaf(.code(builder.storeText(["x = 1", "[b]", "a*b", "f(x)"][choose(4)])))
        case 10 where nests && !inLink:
            formatted(.link(destination: Self.destinations[choose(Self.destinations.count)], title: ""), depth: depth,
                      inLink: true)
        case 11 where nests:
            formatted(.color(CSSColor(parsing: ["red", "#336699", "green"][choose(3)])!), depth: depth, inLink: inLink)
        case 12 where !inLink:
            builder.open(.image(ImageAttributes(source: Self.destinations[choose(Self.destinations.count)])))
            if choose(2) == 0 { builder.addText(["logo", "a photo"][choose(2)]) }
            builder.close()
        default:
            builder.addText(Self.words[choose(Self.words.count)])
        }
    }

    private mutating func formatted(_ kind: NodeKind, depth: Int, inLink: Bool) {
        builder.open(kind)
        inlines(depth: depth + 1, inLink: inLink)
        builder.close()
    }
}
