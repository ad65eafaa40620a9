import ArgumentParser
import MarkupKit

/// The options that bound what reading an input may cost, shared by `markconv` and
/// `markconv batch` (README, "Safety and limits").
struct InputLimits: ParsableArguments {
    @Option(help: ArgumentHelp("Give up on a document cmark-gfm or gumbo has not parsed in this many seconds (exit 65); 0 for no limit. Default: 10.",
                               valueName: "seconds"))
    var parseTimeLimit: Double?

    @Option(help: ArgumentHelp("Levels containers may nest in the input; deeper ones are kept as text or merged, with a warning. 0 for no limit. Default: 256.",
                               valueName: "n"))
    var nestingLimit: Int?

    @Option(help: ArgumentHelp("Tags a BBCode post may use; later ones are kept as text, with a warning. 0 for no limit. Default: 100000.",
                               valueName: "n"))
    var tagLimit: Int?

    @Flag(help: "Replace invalid UTF-8 with U+FFFD (with a warning) instead of failing with exit 65.")
    var lossyUtf8 = false

    /// `--unsafe`, which `markconv` and `markconv batch` both take (SafetyPolicy.trustsInput).
    static let unsafeHelp = ArgumentHelp("""
        Trust the input: raw HTML into HTML output, and addresses of any scheme into HTML, \
        Markdown and JSON output (BBCode output still refuses them). For trusted input only.
        """)

    /// The limits as plain values (what ``Conversion`` keeps).
    struct Values: Equatable {
        var parseTimeLimit: Double?
        var nestingLimit: Int?
        var tagLimit: Int?
        var lossyUTF8 = false

        func apply(to options: ConversionOptions) -> ConversionOptions {
            var options = options
            options.replacesInvalidUTF8 = lossyUTF8
            if let nestingLimit { options.nestingLimit = nestingLimit > 0 ? nestingLimit : nil }
            if let tagLimit { options.tagLimit = tagLimit > 0 ? tagLimit : nil }
            if let parseTimeLimit { options.parseTimeLimit = parseTimeLimit > 0 ? parseTimeLimit : nil }
            return options
        }
    }

    var values: Values {
        Values(parseTimeLimit: parseTimeLimit, nestingLimit: nestingLimit, tagLimit: tagLimit, lossyUTF8: lossyUtf8)
    }

    func apply(to options: ConversionOptions) -> ConversionOptions {
        values.apply(to: options)
    }

    /// The same options as command-line arguments, for the worker processes of a batch.
    var arguments: [String] {
        var arguments: [String] = []
        if let parseTimeLimit { arguments += ["--parse-time-limit", String(parseTimeLimit)] }
        if let nestingLimit { arguments += ["--nesting-limit", String(nestingLimit)] }
        if let tagLimit { arguments += ["--tag-limit", String(tagLimit)] }
        if lossyUtf8 { arguments.append("--lossy-utf8") }
        return arguments
    }
}
