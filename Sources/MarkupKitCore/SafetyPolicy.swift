/// Everything that decides what a conversion lets through and how much work an input may
/// cause, in one value that every reader and writer is given (`MarkupKit.convert` passes
/// the caller's to each). Deciding these in one place is what keeps the paths alike: the
/// same `ftp:` link is refused the same way whether it came from Markdown, HTML, BBCode
/// or JSON, and the same budgets bound every reader.
///
/// What each setting does in each direction is in the README's "Safety and limits" and
/// in `docs/SECURITY.md`.
public struct SafetyPolicy: Hashable, Sendable {
    /// The input is trusted (`markconv --unsafe`): readers keep every address, and HTML
    /// output carries raw HTML. BBCode output still refuses addresses outside
    /// ``urlPolicy``: a forum post is never the place for a `javascript:` link, and no
    /// forum would keep one.
    public var trustsInput = false
    /// Which link and image addresses are kept.
    public var urlPolicy = URLPolicy.standard
    /// Input clean-up: replace invalid UTF-8 with U+FFFD (and warn) instead of failing.
    public var replacesInvalidUTF8 = false
    /// How deep containers may nest in what is read (`NestingLimit`); nil for no limit.
    public var nestingLimit: Int? = NestingLimit.standard
    /// How many tags a BBCode post may use (`TagLimit`); nil for no limit.
    public var tagLimit: Int? = TagLimit.standard
    /// How long cmark-gfm and gumbo may take on one document, in seconds; nil for no limit.
    public var parseTimeLimit: Double? = 10
    /// How much memory cmark-gfm and gumbo may allocate for one document, in bytes; nil
    /// for each parser's standard budget (cmark-gfm: 256 MiB + 512 bytes per input byte;
    /// gumbo: 2 GiB), `Int.max` for none.
    public var parseMemoryLimit: Int?
    /// How much a reader may add beyond the input's own size when it expands something
    /// the input names once and uses many times: the bytes of addresses that links to a
    /// reference repeat, the empty cells that fill out a short table row or a spanning
    /// cell. The budget for an input of n bytes is n plus this; past it the reader stops
    /// expanding, keeps the text, and warns.
    public var expansionAllowance = 100_000

    public init() {}

    /// The defaults: untrusted input, the standard allowlist and limits.
    public static let standard = SafetyPolicy()

    /// `--unsafe`: the defaults, but the input is trusted.
    public static let trusted: SafetyPolicy = {
        var policy = SafetyPolicy()
        policy.trustsInput = true
        return policy
    }()

    /// How much expansion an input of `count` bytes may cause (``expansionAllowance``).
    public func expansionBudget(forInputOf count: Int) -> Int {
        let sum = count.addingReportingOverflow(expansionAllowance)
        return sum.overflow ? .max : sum.partialValue
    }

    /// Every reader's last step: refused addresses are emptied in the tree (unless the
    /// input is trusted), so that no writer can carry them on.
    public func applyToReadDocument(_ result: inout ReadResult) {
        guard !trustsInput else { return }
        result.warnings += result.document.applyURLPolicy(urlPolicy)
    }

    /// The warning a reader gives, once, when it stops expanding: `what` grew past the
    /// budget, and `consequence` is what the reader does with the rest.
    public func expansionWarning(_ what: String, _ consequence: String, at position: SourcePosition) -> ConversionWarning {
        let allowance = expansionAllowance % 1000 == 0 ? "\(expansionAllowance / 1000) kB" : "\(expansionAllowance) bytes"
        return ConversionWarning(.limit, at: position, "\(what) add up to more than the input plus \(allowance); \(consequence)")
    }
}
