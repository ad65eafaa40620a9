/// One way two documents differ, said so a person can act on it: where in the tree
/// (`list 2 › item 1 › list 1`) and what changed.
public struct TreeDifference: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Steps from the top of the document, e.g. `["list 2", "item 1", "list 1"]`.
    public var path: [String]
    public var message: String
    /// Where the differing node of the first document came from, if known.
    public var position: SourcePosition

    public var description: String {
        let place = path.isEmpty ? "document" : path.joined(separator: " › ")
        return position.isKnown ? "\(place) (\(position)): \(message)" : "\(place): \(message)"
    }
}

extension Document {
    /// How `other` differs from this document, in document order, at most `limit` items.
    ///
    /// Siblings are aligned by kind (a longest common subsequence), so an inserted or lost
    /// block is reported once rather than as a cascade of mismatches; matched nodes are
    /// compared by their attributes and text, then their children. Positions and syntax
    /// hints are not compared. Iterative, so any depth is fine.
    public func differences(from other: Document, limit: Int = 50) -> [TreeDifference] {
        var result: [TreeDifference] = []
        // Sibling lists to align: children in each document and the path to their parent.
        var work: [(mine: [Int], theirs: [Int], path: [String])] = [(Array(topLevel), Array(other.topLevel), [])]
        while let item = work.popLast(), result.count < limit {
            var pairs = alignedSiblings(item.mine, item.theirs, other: other)
            var unwrapped: [Int: [Int]] = [:]
            absorbUnwrappedContainers(&pairs, unwrapped: &unwrapped, other: other)
            // Nodes missing where unexpected ones stand, between the same matched siblings,
            // are ones that changed kind: paired in order (a container that only lost its
            // own level is not one of them).
            var start = 0
            while start < pairs.count {
                guard let gap = Self.unmatchedRun(in: pairs, around: start) else {
                    start += 1
                    continue
                }
                let missing = gap.filter { pairs[$0].theirs == nil && pairs[$0].mine.map { unwrapped[$0] == nil } == true }
                let unexpected = gap.filter { pairs[$0].mine == nil && pairs[$0].theirs != nil }
                for (lost, found) in zip(missing, unexpected) {
                    pairs[lost].theirs = pairs[found].theirs
                    pairs[found].theirs = nil
                }
                start = gap.upperBound
            }
            pairs.removeAll { $0.mine == nil && $0.theirs == nil }
            var counts: [String: Int] = [:]
            var pending: [(mine: [Int], theirs: [Int], path: [String])] = []
            for pair in pairs {
                let kind = pair.mine.map { nodes[$0].kind } ?? other.nodes[pair.theirs!].kind
                let label = Document.pathLabel(kind)
                counts[label, default: 0] += 1
                let path = item.path + ["\(label) \(counts[label]!)"]
                switch (pair.mine, pair.theirs) {
                case (let mine?, let theirs?):
                    if let change = describeChange(at: mine, to: theirs, in: other) {
                        result.append(TreeDifference(path: path, message: change, position: nodes[mine].range.start))
                    } else if nodes[mine].kind.isContainer, !childrenMeanTheSame(of: mine, as: other, of: theirs) {
                        if let change = formattingChange(at: mine, to: theirs, in: other) {
                            result.append(TreeDifference(path: path, message: change, position: nodes[mine].range.start))
                        } else {
                            pending.append((Array(children(of: mine)), Array(other.children(of: theirs)), path))
                        }
                    }
                case (let mine?, nil):
                    let message = unwrapped[mine].map { stayed in
                        "\(summary(of: mine)) is missing; its \(stayed.count == 1 ? "content" : "\(stayed.count) blocks") stayed, without it"
                    } ?? "\(summary(of: mine)) is missing"
                    result.append(TreeDifference(path: path, message: message, position: nodes[mine].range.start))
                    // What stayed is compared with what it was, under the container's path.
                    if let stayed = unwrapped[mine] {
                        let before = Array(children(of: mine))
                        if !zip(before, stayed).allSatisfy({ fingerprint(of: $0) == other.fingerprint(of: $1) }) {
                            pending.append((before, stayed, path))
                        }
                    }
                case (nil, let theirs?):
                    result.append(TreeDifference(path: path, message: "unexpected \(other.summary(of: theirs))",
                                                 position: .unknown))
                case (nil, nil):
                    break
                }
            }
            // Depth first, in document order.
            work.append(contentsOf: pending.reversed())
        }
        return Array(result.prefix(limit))
    }

    /// A container that went missing while its children stayed, in its place among the
    /// siblings (a spoiler or an alignment the other format has no form for), is one
    /// difference, not one per child: the children's unexpected twins — the same, or of
    /// the same kinds in the same order — are taken out of `pairs`, and `unwrapped`
    /// records them for the container.
    private func absorbUnwrappedContainers(_ pairs: inout [(mine: Int?, theirs: Int?)], unwrapped: inout [Int: [Int]],
                                           other: Document) {
        var index = 0
        while index < pairs.count {
            defer { index += 1 }
            guard let mine = pairs[index].mine, pairs[index].theirs == nil, nodes[mine].kind.isContainer,
                  nodes[mine].kind.isBlock else { continue }
            let mineChildren = Array(children(of: mine))
            let wanted = mineChildren.map { fingerprint(of: $0) }
            guard !wanted.isEmpty, let gap = Self.unmatchedRun(in: pairs, around: index) else { continue }
            // The unexpected siblings in the gap: where they stand in `pairs`, and which they are.
            let positions = gap.filter { pairs[$0].mine == nil && pairs[$0].theirs != nil }
            let candidates = positions.map { pairs[$0].theirs! }
            guard candidates.count >= wanted.count else { continue }
            let prints = candidates.map { other.fingerprint(of: $0) }
            let starts = 0...(prints.count - wanted.count)
            var found = starts.first { prints[$0] == wanted[0] && prints[$0..<($0 + wanted.count)].elementsEqual(wanted) }
            if found == nil {
                // The same kinds in the same order: the run whose text and shape are most
                // alike, and of those the nearest.
                func shape(_ document: Document, _ node: Int) -> [String] {
                    document.children(of: node).map { Document.pathLabel(document.nodes[$0].kind) }
                }
                let labels = mineChildren.map { Document.pathLabel(nodes[$0].kind) }
                let theirLabels = candidates.map { Document.pathLabel(other.nodes[$0].kind) }
                let words = mineChildren.map { leadingWords(of: $0) }
                let theirWords = candidates.map { other.leadingWords(of: $0) }
                let shapes = mineChildren.map { shape(self, $0) }
                let theirShapes = candidates.map { shape(other, $0) }
                func likeness(_ start: Int) -> Double {
                    (0..<labels.count).reduce(0.0) { total, offset in
                        total + Self.wordLikeness(words[offset], theirWords[start + offset])
                            + (shapes[offset] == theirShapes[start + offset] ? 1 : 0)
                    }
                }
                let fitting = starts.filter { theirLabels[$0..<($0 + labels.count)].elementsEqual(labels) }
                found = fitting.max { first, second in
                    let (a, b) = (likeness(first), likeness(second))
                    return a != b ? a < b : abs(positions[first] - index) > abs(positions[second] - index)
                }
            }
            guard let first = found else { continue }
            for position in positions[first..<(first + wanted.count)] { pairs[position].theirs = nil }
            unwrapped[mine] = Array(candidates[first..<(first + wanted.count)])
        }
    }

    /// The run of unmatched pairs (one side missing) around `index` — the gap between two
    /// matched siblings — or nil when the pair at `index` is matched.
    private static func unmatchedRun(in pairs: [(mine: Int?, theirs: Int?)], around index: Int) -> Range<Int>? {
        func unmatched(_ position: Int) -> Bool { pairs[position].mine == nil || pairs[position].theirs == nil }
        guard unmatched(index) else { return nil }
        var start = index
        while start > 0, unmatched(start - 1) { start -= 1 }
        var end = index + 1
        while end < pairs.count, unmatched(end) { end += 1 }
        return start..<end
    }

    /// The share of two sets of leading words that both have; 1 when neither has any.
    private static func wordLikeness(_ first: Set<Substring>, _ second: Set<Substring>) -> Double {
        let all = first.union(second).count
        return all == 0 ? 1 : Double(first.intersection(second).count) / Double(all)
    }

    /// The name a path step uses for a kind: lists, items, paragraphs … counted apart.
    static func pathLabel(_ kind: NodeKind) -> String {
        switch kind {
        case .list: "list"
        case .heading: "heading"
        case .text: "text"
        case .rawBlock, .rawInline: "raw"
        default: kind.displayName
        }
    }

    /// Matches siblings in order; unmatched ones come back alone. Siblings equal in every
    /// respect are matched first, then, between those, siblings of the same kind — so a
    /// heading that became a paragraph pairs with the paragraph at its place, not with
    /// the next paragraph along.
    private func alignedSiblings(_ mine: [Int], _ theirs: [Int], other: Document) -> [(mine: Int?, theirs: Int?)] {
        let left = mine.map { Document.pathLabel(nodes[$0].kind) }
        let right = theirs.map { Document.pathLabel(other.nodes[$0].kind) }
        if left == right { return zip(mine, theirs).map { ($0, $1) } }
        // Past a size where the tables are costly, pair in order (the report is then less
        // precise, never wrong about equality).
        guard left.count * right.count <= 4_000_000 else {
            return (0..<max(mine.count, theirs.count)).map {
                ($0 < mine.count ? mine[$0] : nil, $0 < theirs.count ? theirs[$0] : nil)
            }
        }
        let anchors = Document.commonSubsequence(mine.map { fingerprint(of: $0) }, theirs.map { other.fingerprint(of: $0) })
        var pairs: [(mine: Int?, theirs: Int?)] = []
        var i = 0
        var j = 0
        for (anchorLeft, anchorRight) in anchors + [(left.count, right.count)] {
            // The gap before the anchor: as many on each side means each changed in place;
            // otherwise the gap is aligned by kind.
            let gapLeft = Array(left[i..<anchorLeft])
            let gapRight = Array(right[j..<anchorRight])
            let gapStart = (i, j)
            // Words are compared for every pair in the gap: past a quarter of a million
            // pairs, kinds alone.
            let matched = gapLeft.count == gapRight.count ? gapLeft.indices.map { ($0, $0) }
                : gapLeft.count * gapRight.count > 250_000 ? Document.commonSubsequence(gapLeft, gapRight)
                : alignedBySimilarity(Array(mine[i..<anchorLeft]), Array(theirs[j..<anchorRight]), other: other)
            var iterator = matched.makeIterator()
            var next = iterator.next()
            while i < anchorLeft || j < anchorRight {
                let (a, b) = (i - gapStart.0, j - gapStart.1)
                if let pair = next, pair.0 == a, pair.1 == b {
                    pairs.append((mine[i], theirs[j]))
                    i += 1
                    j += 1
                    next = iterator.next()
                } else if i < anchorLeft, next.map({ a < $0.0 }) ?? true {
                    pairs.append((mine[i], nil))
                    i += 1
                } else {
                    pairs.append((nil, theirs[j]))
                    j += 1
                }
            }
            if anchorLeft < left.count {
                pairs.append((mine[anchorLeft], theirs[anchorRight]))
                i += 1
                j += 1
            }
        }
        return pairs
    }

    /// Pairs siblings of the same kind in order, preferring those whose text is alike:
    /// the pairing with the most weight, each pair weighing 1 plus the share of leading
    /// words the two have in common. A paragraph that changed a little pairs with its
    /// changed self, not with a new paragraph before it (a spoiler's title written as a
    /// line of its own, say).
    private func alignedBySimilarity(_ mine: [Int], _ theirs: [Int], other: Document) -> [(Int, Int)] {
        guard !mine.isEmpty, !theirs.isEmpty else { return [] }
        let left = mine.map { (Document.pathLabel(nodes[$0].kind), leadingWords(of: $0)) }
        let right = theirs.map { (Document.pathLabel(other.nodes[$0].kind), other.leadingWords(of: $0)) }
        func weight(_ a: Int, _ b: Int) -> Double {
            left[a].0 == right[b].0 ? 1 + Self.wordLikeness(left[a].1, right[b].1) : 0
        }
        var table = Array(repeating: Array(repeating: 0.0, count: right.count + 1), count: left.count + 1)
        for a in stride(from: left.count - 1, through: 0, by: -1) {
            for b in stride(from: right.count - 1, through: 0, by: -1) {
                let paired = weight(a, b)
                table[a][b] = max(table[a + 1][b], table[a][b + 1], paired > 0 ? paired + table[a + 1][b + 1] : 0)
            }
        }
        var pairs: [(Int, Int)] = []
        var a = 0
        var b = 0
        while a < left.count, b < right.count {
            let paired = weight(a, b)
            if paired > 0, table[a][b] == paired + table[a + 1][b + 1] {
                pairs.append((a, b))
                a += 1
                b += 1
            } else if table[a][b + 1] >= table[a + 1][b] {
                b += 1
            } else {
                a += 1
            }
        }
        return pairs
    }

    /// Up to sixteen words a subtree begins with, for telling alike siblings apart.
    func leadingWords(of index: Int) -> Set<Substring> {
        var words: Set<Substring> = []
        var position = index
        let end = subtreeEnd(of: index)
        while position < end, words.count < 16 {
            if let ref = nodes[position].kind.textRef {
                let text = Substring(string(ref).prefix(400))
                for word in text.split(whereSeparator: { !$0.isLetter && !$0.isNumber }) {
                    words.insert(word)
                    if words.count == 16 { break }
                }
            }
            position += 1
        }
        return words
    }

    /// The index pairs of a longest common subsequence, in order.
    private static func commonSubsequence<Key: Equatable>(_ left: [Key], _ right: [Key]) -> [(Int, Int)] {
        guard !left.isEmpty, !right.isEmpty else { return [] }
        var table = Array(repeating: Array(repeating: 0, count: right.count + 1), count: left.count + 1)
        for i in stride(from: left.count - 1, through: 0, by: -1) {
            for j in stride(from: right.count - 1, through: 0, by: -1) {
                table[i][j] = left[i] == right[j] ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
            }
        }
        var pairs: [(Int, Int)] = []
        var i = 0
        var j = 0
        while i < left.count, j < right.count {
            if left[i] == right[j] {
                pairs.append((i, j))
                i += 1
                j += 1
            } else if table[i][j + 1] > table[i + 1][j] {
                j += 1
            } else {
                i += 1
            }
        }
        return pairs
    }

    /// A hash of a subtree's meaning: kinds, structure and text.
    private func fingerprint(of index: Int) -> Int {
        var hasher = Hasher()
        for position in index..<subtreeEnd(of: index) {
            let kind = nodes[position].kind
            hasher.combine(kind.withTextRef(.empty))
            hasher.combine(subtreeEnd(of: position) - position)
            if let ref = kind.textRef { hasher.combine(bytes(ref)) }
        }
        return hasher.finalize()
    }

    /// What changed between two nodes of the same label, or nil when their own
    /// attributes and text agree (children are compared separately).
    private func describeChange(at mine: Int, to theirs: Int, in other: Document) -> String? {
        let a = nodes[mine].kind
        let b = other.nodes[theirs].kind
        if Document.pathLabel(a) != Document.pathLabel(b) {
            return "\(summary(of: mine)) became \(other.summary(of: theirs))"
        }
        switch (a, b) {
        case (.list(let first), .list(let second)):
            var changes: [String] = []
            switch (first.kind, second.kind) {
            case (.bullet, .ordered): changes.append("list kind changed from bullet to ordered")
            case (.ordered, .bullet): changes.append("list kind changed from ordered to bullet")
            case (.ordered(let start, let style), .ordered(let otherStart, let otherStyle)):
                if start != otherStart { changes.append("start number \(start) became \(otherStart)") }
                if style != otherStyle { changes.append("numbering \(style.rawValue) became \(otherStyle.rawValue)") }
            case (.bullet, .bullet):
                break
            }
            if first.isTight != second.isTight {
                changes.append(first.isTight ? "tight list became loose" : "loose list became tight")
            }
            return changes.isEmpty ? nil : changes.joined(separator: "; ")
        case (.heading(let level), .heading(let otherLevel)) where level != otherLevel:
            return "heading level \(level) became \(otherLevel)"
        case (.text(let ref), .text(let otherRef)):
            let text = string(ref)
            let otherText = other.string(otherRef)
            return text == otherText ? nil : "text \(Document.quoted(text)) became \(Document.quoted(otherText))"
        case (.table(let columns), .table(let otherColumns)) where columns != otherColumns:
            if columns.count != otherColumns.count { return "\(columns.count) columns became \(otherColumns.count)" }
            func names(_ list: [ColumnAlignment]) -> String { list.map(\.rawValue).joined(separator: ", ") }
            return "column alignment \(names(columns)) became \(names(otherColumns))"
        case (.codeBlock(let info, let ref), .codeBlock(let otherInfo, let otherRef)) where info != otherInfo:
            let language = info.isEmpty ? "none" : Document.quoted(info)
            let otherLanguage = otherInfo.isEmpty ? "none" : Document.quoted(otherInfo)
            let textNote = string(ref) == other.string(otherRef) ? "" : "; its text changed"
            return "code block language \(language) became \(otherLanguage)\(textNote)"
        case (.listItem(let task), .listItem(let otherTask)) where task != otherTask:
            return "task state \(task?.rawValue ?? "none") became \(otherTask?.rawValue ?? "none")"
        default:
            if let ref = a.textRef, let otherRef = b.textRef {
                if a.withTextRef(.empty) != b.withTextRef(.empty) {
                    return "\(summary(of: mine)) became \(other.summary(of: theirs))"
                }
                let text = string(ref)
                let otherText = other.string(otherRef)
                return text == otherText ? nil : "\(a.displayName) text \(Document.quoted(text)) became \(Document.quoted(otherText))"
            }
            if a != b { return "\(summary(of: mine)) became \(other.summary(of: theirs))" }
            // Same kind: if the children differ only in formatting, say so here.
            return nil
        }
    }

    /// When a paragraph, heading or cell kept its text and only its formatting changed,
    /// one line naming what was lost or gained (`inline code 'x' became plain text`).
    private func formattingChange(at mine: Int, to theirs: Int, in other: Document) -> String? {
        let firstChild = mine + 1
        guard firstChild < subtreeEnd(of: mine), !nodes[firstChild].kind.isBlock,
              displayText(of: mine) == other.displayText(of: theirs) else { return nil }
        func spans(_ document: Document, _ index: Int) -> [String] {
            (index + 1..<document.subtreeEnd(of: index)).compactMap { position in
                switch document.nodes[position].kind {
                case .text, .softBreak: nil
                default: document.summary(of: position)
                }
            }
        }
        var lost = spans(self, mine)
        var gained: [String] = []
        for span in spans(other, theirs) {
            if let found = lost.firstIndex(of: span) { lost.remove(at: found) } else { gained.append(span) }
        }
        let changes = lost.map { "\($0) became plain text" } + gained.map { "plain text became \($0)" }
        return changes.isEmpty ? nil : changes.joined(separator: "; ")
    }

    /// A short description of a node: its kind, its main attribute and the start of its text.
    func summary(of index: Int) -> String {
        let kind = nodes[index].kind
        var text = kind.displayName
        switch kind {
        case .link(let destination, _): text += " to \(destination)"
        case .image(let image): text += " \(image.source)"
        case .codeBlock(let info, _) where !info.isEmpty: text += " (\(info))"
        case .list(let attributes):
            if case .ordered(let start, _) = attributes.kind, start != 1 { text += " from \(start)" }
        case .blockQuote(let attribution?): text += " by \(attribution)"
        default: break
        }
        let content = displayText(of: index)
        if !content.isEmpty { text += " " + Document.quoted(content) }
        return text
    }

    /// The text of a subtree with a space between blocks (cells, paragraphs, items).
    private func displayText(of index: Int) -> String {
        var text = ""
        for position in index..<subtreeEnd(of: index) {
            switch nodes[position].kind {
            case .text(let ref), .code(let ref), .codeBlock(_, let ref), .rawInline(_, let ref), .rawBlock(_, let ref):
                text += string(ref)
            case .softBreak, .lineBreak:
                text += " "
            case let kind where kind.isBlock && !text.isEmpty && text.last != " ":
                text += " "
            default:
                break
            }
        }
        return text
    }

    static func quoted(_ text: String, limit: Int = 40) -> String {
        let flat = text.map { $0 == "\n" ? " " : $0 }
        return flat.count <= limit ? "'\(String(flat))'" : "'\(String(flat.prefix(limit)))…'"
    }
}

extension Document: CustomStringConvertible {
    /// An indented outline of the tree, one node per line, for messages and debugging.
    public var description: String {
        var lines: [String] = []
        var depth = 0
        for event in events {
            switch event {
            case .enter(let index):
                let kind = nodes[index].kind
                var line = String(repeating: "  ", count: depth) + kind.displayName
                if let ref = kind.textRef { line += " " + Document.quoted(string(ref), limit: 60) }
                switch kind {
                case .link(let destination, let title): line += " → \(destination)" + (title.isEmpty ? "" : " \"\(title)\"")
                case .image(let image): line += " → \(image.source)"
                case .listItem(let task?): line += " [\(task.rawValue)]"
                case .list(let attributes): line += attributes.isTight ? " (tight)" : " (loose)"
                case .footnoteDefinition(let label), .footnoteReference(let label): line += " [^\(label)]"
                default: break
                }
                lines.append(line)
                depth += 1
            case .exit:
                depth -= 1
            }
        }
        return lines.joined(separator: "\n")
    }
}

extension Document {
    /// The same document with every soft line break turned into a space and merged into
    /// the text around it.
    ///
    /// A soft break is a line end inside a paragraph that renders as a space; formats
    /// where a line end means a line break (BBCode) write it as a space, so a round trip
    /// through them is compared on this form. Hints are not carried over.
    public func softBreaksAsSpaces() -> Document {
        guard nodes.contains(where: { $0.kind == .softBreak }) else { return self }
        var builder = DocumentBuilder(reservingNodes: nodes.count, textBytes: store.count)
        for event in events {
            switch event {
            case .enter(let index):
                let node = nodes[index]
                switch node.kind {
                case .softBreak:
                    builder.addText(" ", range: node.range)
                case .text(let ref):
                    builder.addText(string(ref), range: node.range)
                default:
                    var kind = node.kind
                    if let ref = kind.textRef { kind = kind.withTextRef(builder.storeText(string(ref))) }
                    if kind.isContainer {
                        builder.open(kind, range: node.range)
                    } else {
                        builder.addLeaf(kind, range: node.range)
                    }
                }
            case .exit(let index):
                if nodes[index].kind.isContainer { builder.close(at: nodes[index].range.end) }
            }
        }
        return builder.finish()
    }
}
