import MarkupKitCore

/// What a trip through another format and back did to a document.
public struct RoundTripReport: Sendable {
    /// Where the returned tree differs from the original, with the path in the tree and
    /// the original's source position. Empty when the document survived.
    public var differences: [TreeDifference]
    /// What reading the document (limits reached, bytes replaced) and writing the `via`
    /// format (what was lost or changed on the way there) reported.
    public var warnings: [ConversionWarning]

    /// Whether the document came back as it went.
    public var survived: Bool { differences.isEmpty }
}

extension MarkupKit {
    /// Sends a document through another format and back, and compares the trees: read it
    /// as `source`, write it as `via`, read that back, write it as `source` again, read it
    /// again, and diff the first tree with the last. A soft line break and a space count as
    /// the same (they render alike, and BBCode can only write the space).
    ///
    /// ```swift
    /// let report = try MarkupKit.roundTrip(utf8: Array(post.utf8), as: .gfm, via: .bbcode(.phpBB))
    /// for difference in report.differences { print(difference) }   // "list 1 › item 2 (4:5): …"
    /// ```
    public static func roundTrip(utf8 input: [UInt8], as source: Format, via target: Format,
                                 options: ConversionOptions = ConversionOptions()) throws -> RoundTripReport {
        let reading = try read(utf8: input, as: source, options: options)
        let original = reading.document
        let there = try write(original, as: target, readFrom: source, options: options)
        let arrived = try read(utf8: there.bytes, as: target, options: options).document
        let back = try write(arrived, as: source, readFrom: target, options: options)
        let returned = try read(utf8: back.bytes, as: source, options: options).document
        let differences = original.softBreaksAsSpaces().differences(from: returned.softBreaksAsSpaces())
        return RoundTripReport(differences: differences, warnings: reading.warnings + there.warnings)
    }
}
