/// How a node was written, as opposed to what it means.
///
/// Hints live beside the tree, not in it, so two documents that mean the same thing compare
/// equal whatever syntax they came from. A writer may use them to write a node back in the
/// form it was read in (the same bullet character, the same tag spelling); writers of other
/// formats ignore them.
public struct SyntaxHints: Hashable, Sendable, Codable {
    /// The marker used: a list's bullet (`-`, `*`, `+`) or delimiter (`.`, `)`), a code
    /// fence (three or more backticks or tildes), an emphasis delimiter (`*`, `_`).
    public var marker: String?
    /// The syntactic form where a kind has several: `atx`/`setext` headings,
    /// `fenced`/`indented` code, `autolink`/`inline` links.
    public var form: String?
    /// The spelling as written where it differs from the canonical one: a tag name's case,
    /// a colour name, a footnote label as written at the reference.
    public var spelling: String?
    /// Source attributes the tree has no field for (a quoted post's id), in source order.
    public var attributes: [Attribute]

    public struct Attribute: Hashable, Sendable, Codable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public init(marker: String? = nil, form: String? = nil, spelling: String? = nil,
                attributes: [Attribute] = []) {
        self.marker = marker
        self.form = form
        self.spelling = spelling
        self.attributes = attributes
    }

    public var isEmpty: Bool {
        marker == nil && form == nil && spelling == nil && attributes.isEmpty
    }
}
