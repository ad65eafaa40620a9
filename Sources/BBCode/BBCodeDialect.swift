import ByteScan
import MarkupKitCore

/// What one forum's BBCode understands, as data: the reader and the writer both work
/// from this table, so what the writer escapes is exactly what the reader would parse.
///
/// Tag lists name every spelling the forum accepts; the first one is what the writer
/// writes. An empty list means the forum has no such tag.
public struct BBCodeDialect: Hashable, Sendable {
    /// The format name, e.g. `bbcode_phpbb`.
    public let name: String
    /// The forum software the table describes, e.g. "phpBB 3.3".
    public let title: String

    // MARK: Tags

    public var tagCase: TagCase = .insensitive
    public var bold = ["b"]
    public var italic = ["i"]
    public var underline = ["u"]
    public var strikethrough = ["s"]
    public var `subscript`: [String] = []
    public var superscript: [String] = []
    public var color = ["color"]
    public var size: SizeUnit? = .percent
    public var font: [String] = []
    public var url = ["url"]
    public var email = ["email"]
    public var image: ImageForm = .plain
    public var inlineCode: InlineCodeForm = .none
    public var code = CodeForm()
    public var quote: QuoteForm = .quotedName
    public var lists = ListForm()
    public var headings: HeadingForm = .none
    public var horizontalRule: HorizontalRuleForm = .none
    public var table: TableForm = .none
    public var spoiler: SpoilerForm = .none
    public var alignment: AlignmentForm = .none
    /// Tags whose content is shown exactly as typed (`[noparse]`), first one written.
    public var noParse: [String] = []
    /// Tags the forum has that markconv does not read (mentions, attachments, embeds): kept
    /// as text with a warning, since the forum shows something else.
    public var unreadTags: [String] = []
    /// How the writer keeps text such as `[b]` from being read as a tag.
    public var escape: EscapeForm = .noParseTag
    /// The longest post a stock installation accepts, where it has a default limit: the
    /// writer warns when its output is longer.
    public var postLengthLimit: PostLengthLimit?
    /// How the forum reads what its tags leave open: bare links in text, spaces in
    /// addresses, a `[code]` never closed. Each rule names the forum version it is from.
    public var reading = ReadingRules()

    public init(name: String, title: String) {
        self.name = name
        self.title = title
    }

    // MARK: Forms

    public enum TagCase: Hashable, Sendable {
        /// `[B]` and `[b]` are the same tag.
        case insensitive
        /// Case-insensitive, except these tags, which must be written in lower case
        /// (Friendica and Hubzilla match tables and a few others lower-case only).
        case lowercaseOnly(Set<String>)
    }

    /// What `[size=N]` means.
    public enum SizeUnit: String, Hashable, Sendable {
        case percent, scale, pixels, points
    }

    public enum ImageForm: Hashable, Sendable {
        /// `[img]url[/img]` only; alternative text and size are lost.
        case plain
        /// `[img alt="…" width=… height=…]url[/img]` (XenForo, SMF, the generic core).
        case attributes
        /// `[img=url]alt[/img]` (Friendica, Hubzilla).
        case urlInOption
        /// `[img=alt]url[/img]` (FluxBB).
        case altInOption
        /// `[img=WxH]url[/img]` (MyBB): size, no alternative text.
        case sizeInOption
    }

    public enum InlineCodeForm: Hashable, Sendable {
        case none
        /// A tag of its own: `[icode]` (XenForo), `[c]` (FluxBB).
        case tag(String)
        /// `[code]…[/code]` without a line break inside (Friendica, Hubzilla).
        case singleLineCode
        /// `[noparse]` (Steam): not parsed, but not shown as code either.
        case noParse
    }

    public struct CodeForm: Hashable, Sendable {
        public var tags = ["code"]
        /// `[code=lang]` carries a language.
        public var language = true
        /// Tags that are code blocks in one language (`[php]` in vBulletin and MyBB).
        public var languageTags: [String: String] = [:]
        /// A `[code]` without a line break inside is inline code (Friendica, Hubzilla).
        public var newlineMakesBlock = false

        public init(tags: [String] = ["code"], language: Bool = true, languageTags: [String: String] = [:],
                    newlineMakesBlock: Bool = false) {
            self.tags = tags
            self.language = language
            self.languageTags = languageTags
            self.newlineMakesBlock = newlineMakesBlock
        }
    }

    /// How a quote names who is quoted.
    public enum QuoteForm: Hashable, Sendable {
        /// `[quote="Name"]` with optional `post_id=… time=… user_id=…` (phpBB).
        case quotedName
        /// `[quote=Name]` only (FluxBB, Friendica, Hubzilla).
        case bareName
        /// `[QUOTE="Name, post: 1, member: 2"]` (XenForo).
        case xenForo
        /// `[quote=Name;123]` with the post id after a semicolon (vBulletin, Steam).
        case semicolonPost
        /// `[quote author=Name link=… date=…]` (SMF).
        case authorAttribute
        /// `[quote='Name' pid='1' dateline='…']` (MyBB).
        case singleQuotedName
    }

    public struct ListForm: Hashable, Sendable {
        /// Tags that open a bullet list (`list`, `ul`).
        public var bulletTags = ["list"]
        /// Tags that open an ordered list, decimal (`ol`, `olist`).
        public var orderedTags: [String] = []
        /// How the numbering style is given on `[list=…]`.
        public var numbering: NumberingOption = .listEquals([.decimal, .lowerAlpha, .upperAlpha, .lowerRoman, .upperRoman])
        /// `[*]` items (the next `[*]` or the list's end closes them) or `[li]…[/li]`.
        public var item: ItemForm = .star
        /// What an unknown `[list=…]` value means.
        public var unknownOption: UnknownListOption = .literal
        /// Deeper lists are removed by the forum itself, text and all (FluxBB: 5).
        public var maximumDepth: Int?
        /// A `[*]` item ends at the line break (SMF's item codes).
        public var starItemEndsAtLineBreak = false
        /// A `[*]` outside a list starts one (SMF) instead of being text (phpBB).
        public var starOutsideListStartsList = false
        /// Items hold only inline tags, lists, images and code: the forum rejects a post
        /// with `[quote]` or a heading inside an item (FluxBB).
        public var itemsAllowOnlyInlineContent = false

        public init() {}

        public enum NumberingOption: Hashable, Sendable {
            /// `[list=1]`, `[list=a]` … for the styles listed.
            case listEquals([NumberingStyle])
            /// `[list type=decimal]` (SMF).
            case typeAttribute
            /// No numbered `[list=…]`; only the ordered tags.
            case none
        }

        public enum ItemForm: Hashable, Sendable {
            /// `[*]`, closed by the next one or the list's end.
            case star
            /// `[*]item[/*]` (FluxBB's canonical form).
            case starClosed
            /// `[li]item[/li]` (Friendica's recommendation, SMF).
            case li
        }

        public enum UnknownListOption: Hashable, Sendable {
            /// The tag stays text.
            case literal
            /// A bullet list (phpBB and XenForo show one).
            case bullet
        }
    }

    public enum HeadingForm: Hashable, Sendable {
        case none
        /// `[h1]` … `[hN]`.
        case numbered(maximum: Int)
        /// `[heading=1]` … `[heading=N]` (XenForo).
        case headingEquals(maximum: Int)
        /// `[h]`: one level only (FluxBB).
        case single
    }

    public enum HorizontalRuleForm: Hashable, Sendable {
        case none
        /// `[hr]`.
        case tag
        /// `[hr][/hr]` (Steam).
        case pairedTag
    }

    public enum TableForm: Hashable, Sendable {
        case none
        /// `[table][tr][th]…[td]…`.
        case full
        /// `[table][tr][td]` only; no header cells (SMF).
        case noHeaderCells
    }

    public enum SpoilerForm: Hashable, Sendable {
        case none
        /// `[spoiler]` and `[spoiler=Title]` (or `[spoiler="Title"]`).
        case titled
        /// `[spoiler]` without a title (Steam).
        case untitled
    }

    public enum AlignmentForm: Hashable, Sendable {
        case none
        /// `[left]`, `[center]`, `[right]`, `[justify]` (those listed).
        case tags([TextAlignment])
        /// `[align=center]` (MyBB).
        case alignEquals
        /// `[center]` only (Friendica, Hubzilla).
        case centerOnly
    }

    /// How a forum reads text and values beyond what its tags say. All off by default:
    /// the generic core reads only tags.
    public struct ReadingRules: Hashable, Sendable {
        /// Addresses in text that become links by themselves.
        public struct Autolinks: Hashable, Sendable {
            /// Schemes of `scheme://…` addresses (the forum's allowed link schemes).
            public var schemes: [String] = []
            /// `www.…` links to `http://www.…`.
            public var www = false
            /// `name@example.com` links to `mailto:`.
            public var email = false
            /// `ftp.…` is a link too, to `scheme://ftp.…` with this scheme (FluxBB:
            /// `ftp`; MyBB: `http`, as it does for anything without one).
            public var ftpHostScheme: String?
            /// How the address goes on after its `scheme://`, `www.` or `ftp.`.
            public var shape: Shape
            /// The forum links bare addresses, but its own pattern could not be checked
            /// (closed source, or a list of top-level domains): where an address ends
            /// is s9e's reading, and the reader says so once per post.
            public var approximate = false

            public init(schemes: [String] = [], www: Bool = false, email: Bool = false,
                        ftpHostScheme: String? = nil, shape: Shape = .textFormatter) {
                self.schemes = schemes
                self.www = www
                self.email = email
                self.ftpHostScheme = ftpHostScheme
                self.shape = shape
            }

            public var isEmpty: Bool { schemes.isEmpty && !www && !email && ftpHostScheme == nil }
        }

        /// How a forum finds where a bare address begins and ends.
        public enum Shape: Hashable, Sendable {
            /// s9e/TextFormatter's Autolink and Autoemail (phpBB).
            case textFormatter
            /// A host and a path, as MyBB's and FluxBB's expressions read them.
            case hostAndPath(HostAndPath)
            /// A run of characters after `scheme://`, as Hubzilla's and Friendica's
            /// expressions read it.
            case characterRun(CharacterRun)
        }

        /// An address as one run of characters after `scheme://` (Hubzilla, Friendica).
        public struct CharacterRun: Hashable, Sendable {
            /// Characters an address may not follow; `]`, the end of a tag, among them.
            public var notAfter: String
            /// Nor may it follow a letter, digit or `_` (a word boundary, Friendica).
            public var atWordStart: Bool
            public var characters: Characters

            public enum Characters: Hashable, Sendable {
                /// Letters (any script), ASCII digits and these (Hubzilla).
                case lettersDigitsAnd(String)
                /// Anything but white space, `<` and `>`, with `(…)` only in pairs two
                /// deep; the host has a dot after two characters at least (Friendica's
                /// take on John Gruber's pattern).
                case nonSpaceWithBalancedParentheses
            }

            public init(notAfter: String, atWordStart: Bool, characters: Characters) {
                self.notAfter = notAfter
                self.atWordStart = atWordStart
                self.characters = characters
            }
        }

        /// An address as the regular expressions of MyBB and FluxBB read it: after white
        /// space, the start of a tag's text or one of `follows`; a host of labels parted
        /// by dots (two labels at least after `scheme://`), the last one letters and
        /// digits; an optional `:port`; an optional path after `/` up to white space or `[`.
        public struct HostAndPath: Hashable, Sendable {
            /// Characters besides white space an address may follow.
            public var follows: String
            /// Host labels are letters, digits and `-` (FluxBB); otherwise anything but
            /// white space, `/`, `.`, `[` and quotes (MyBB).
            public var alphanumericLabels: Bool
            /// How the address ends.
            public var ending: Ending
            /// `(`, `'`, `"`, `<` or `[` may stand between `follows` and the address when
            /// its partner stands right after it (FluxBB).
            public var wrapped: Bool
            /// An address is left as text when one of these end tags stands later in its
            /// run of non-space characters (FluxBB's `[/url]`, `[/img]`: it is a tag's).
            public var notBeforeEndTags: [String]

            public enum Ending: Hashable, Sendable {
                /// The address ends with a word character, `/` or `)`, and a `)` with no
                /// `(` to match it, then `.`, `,`, `?`, `!` before it, go back to the text
                /// (MyBB's expression and its callback).
                case wordSlashOrBalancedParenthesis
                /// A path does not end with one of these (it is left out if only its `/`
                /// would remain); the host ends with its last label (FluxBB).
                case pathNotEndingWith(String)
            }

            public init(follows: String, alphanumericLabels: Bool, ending: Ending, wrapped: Bool,
                        notBeforeEndTags: [String] = []) {
                self.follows = follows
                self.alphanumericLabels = alphanumericLabels
                self.ending = ending
                self.wrapped = wrapped
                self.notBeforeEndTags = notBeforeEndTags
            }
        }

        public var autolinks = Autolinks()
        /// A space inside a `[url]` or `[img]` address is percent-encoded (`%20`), not a
        /// reason to leave the tag as text.
        public var encodesSpacesInAddresses = false
        /// `[img=URL][/img]` and `[img src=URL][/img]`: the address may be the tag's value.
        public var imageSourceInValue = false
        /// `[list type=a]` means `[list=a]`.
        public var listTypeAttribute = false
        /// `[email=… subject=… body=…]`: the subject and body go into the `mailto:` address.
        public var emailSubjectAndBody = false
        /// A quote's author written as a link (`[url=…]Name[/url]`) is the name, the link
        /// the quote's `url`.
        public var quoteAuthorLinks = false
        /// A `[code]` without its `[/code]` is code to the end of the post.
        public var unclosedCodeRunsToEnd = false
        /// Tags that point at something the forum holds (an uploaded file): with plain
        /// text inside, the whole tag is kept as raw BBCode, written back as it was for
        /// BBCode and shown as its text elsewhere, with a warning.
        public var referenceTags: [String] = []
        /// Reference tags with no end tag, their value the reference (MyBB's
        /// `[attachment=12]`): kept whole as raw BBCode, as `referenceTags` are.
        public var standaloneReferenceTags: [String] = []
        /// An explicit `[/*]` does not end the item: text after it, before the next `[*]`,
        /// stays in the item it follows (where the forum shows it, unbulleted).
        public var textAfterItemEndStaysInItem = false
        /// Formatting left open inside a block (`[quote][b]x[/quote]`) goes on after the
        /// block's end tag, until its own end tag or the end of the post, as a browser
        /// reconstructs formatting elements.
        public var formattingOutlivesBlockEnd = false
        /// A formatting tag (`[b]`, `[color=…]` …) with no end tag of its name after it is
        /// text, not formatting to the end: the forum pairs tags with a regular expression
        /// (`\[b\](.*?)\[/b\]`).
        public var unclosedFormattingIsText = false
        /// `[/*]` is no tag: the forum splits items at `[*]` alone and shows `[/*]` as text.
        public var itemEndTagIsText = false
        /// `[color=rgb(r, g, b)]` is a colour; when false, the tag is text.
        public var rgbColours = true

        public init() {}
    }

    /// A forum's default limit on the length of a post.
    public struct PostLengthLimit: Hashable, Sendable {
        public enum Unit: String, Hashable, Sendable {
            case characters, bytes
        }

        public var count: Int
        public var unit: Unit
        /// The forum's own name for the setting, for the warning (`max_post_chars`).
        public var setting: String

        public init(_ count: Int, _ unit: Unit, setting: String) {
            self.count = count
            self.unit = unit
            self.setting = setting
        }

        /// The length of `bytes` (valid UTF-8) in this limit's unit.
        public func length(of bytes: [UInt8]) -> Int {
            switch unit {
            case .bytes: bytes.count
            // Unicode scalars, as PHP's mb_strlen and utf8_strlen count them.
            case .characters: bytes.count - Self.continuationBytes(in: bytes)
            }
        }

        /// UTF-8 continuation bytes (`10xxxxxx`), counted sixteen at a time: every long
        /// post is measured.
        static func continuationBytes(in bytes: [UInt8]) -> Int {
            bytes.withUnsafeBufferPointer { buffer in
                guard let base = buffer.baseAddress else { return 0 }
                return markupkit_utf8_continuation_count(base, buffer.count)
            }
        }
    }

    /// How literal text that looks like a tag is written so the forum shows it as text.
    public enum EscapeForm: Hashable, Sendable {
        /// Wrapped in the dialect's no-parse tag: `[noparse][b][/noparse]`.
        case noParseTag
        /// Split by an empty pair of a harmless tag: `[[b][/b]b]` shows `[b]`; for forums
        /// without a no-parse tag whose parser keeps empty tags (phpBB, MyBB).
        case emptyTagSplit(String)
        /// An invisible character after the bracket: `[\u{2063}b]` shows `[b]`; for FluxBB,
        /// which deletes empty tags when a post is saved. The character must be one the
        /// forum keeps: FluxBB 1.5 deletes zero-width spaces, joiners and direction marks
        /// from everything posted (`remove_bad_characters`), but keeps U+2063 INVISIBLE
        /// SEPARATOR. The reader removes it again.
        case invisibleMark(Unicode.Scalar)
    }
}

extension BBCodeDialect {
    /// Every dialect, the generic core first.
    public static let all: [BBCodeDialect] = [
        .generic, .phpBB, .xenForo, .vBulletin, .smf, .myBB, .fluxBB, .friendica, .hubzilla, .steam,
    ]

    /// The dialect called `name` (`bbcode_phpbb`). Only that dialect's table is made: a
    /// search through ``all`` made all ten, a third of a BBCode run's start-up.
    public static func named(_ name: String) -> BBCodeDialect? {
        switch name {
        case "bbcode": .generic
        case "bbcode_phpbb": .phpBB
        case "bbcode_xenforo": .xenForo
        case "bbcode_vbulletin": .vBulletin
        case "bbcode_smf": .smf
        case "bbcode_mybb": .myBB
        case "bbcode_fluxbb": .fluxBB
        case "bbcode_friendica": .friendica
        case "bbcode_hubzilla": .hubzilla
        case "bbcode_steam": .steam
        default: nil
        }
    }
}
