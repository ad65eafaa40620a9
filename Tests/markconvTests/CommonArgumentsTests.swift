import ArgumentParser
@testable import markconv
import Testing

/// The common command line is read without ArgumentParser (its reflection costs every run
/// ~13 M instructions of start-up); these hold that reading to ArgumentParser's.
@Suite struct CommonArgumentsTests {
    @Test(arguments: [
        [],
        ["post.md"],
        ["-"],
        ["-f", "gfm", "-t", "html"],
        ["-t", "bbcode_phpbb", "post.md"],
        ["--from", "commonmark+table", "--to", "gfm-autolink", "a.md", "-", "b.md"],
        ["--from=bbcode_xenforo", "--to=html", "-o", "out.html", "post.bbcode"],
        ["post.md", "-o", "out.bb", "-f", "gfm"],
        ["--output=out.md", "notes.html"],
        ["-t", "json", "--output", "tree.json"],
    ])
    func commonCommandLinesReadAsArgumentParserReadsThem(_ arguments: [String]) throws {
        let common = try #require(Conversion(commonArguments: arguments))
        let parsed = try #require(try Markconv.parseAsRoot(arguments) as? Markconv)
        // Every option not given has the default ArgumentParser gives it.
        #expect(common == parsed.conversion)
    }

    /// Anything else is left to ArgumentParser: other options, values that look like
    /// options, repeated options, subcommands, help.
    @Test(arguments: [
        ["--unsafe"],
        ["-f", "gfm", "--quiet"],
        ["-q"],
        ["-f"],
        ["-f", "-t", "html"],
        ["-o", "-"],
        ["--to="],
        ["-f", "gfm", "-f", "html"],
        ["--to", "gfm", "-t", "html"],
        ["-f=gfm"],
        ["--", "-file.md"],
        ["--help"],
        ["-h"],
        ["--version"],
        ["help"],
        ["roundtrip", "--via", "bbcode_phpbb"],
        ["batch", "-f", "gfm", "-t", "html"],
        ["serve"],
        ["--list-output-formats"],
        ["--describe", "bbcode_phpbb"],
        ["--max-warnings", "5", "a.md"],
        ["--list-indent", "4"],
        ["--nesting-limit", "3"],
    ])
    func otherCommandLinesAreLeftToArgumentParser(_ arguments: [String]) {
        #expect(Conversion(commonArguments: arguments) == nil)
    }

    /// A subcommand's name is a file name after the first word.
    @Test func aSubcommandNameLaterIsAFile() throws {
        let arguments = ["-t", "gfm", "roundtrip"]
        let common = try #require(Conversion(commonArguments: arguments))
        #expect(common.files == ["roundtrip"])
        let parsed = try #require(try Markconv.parseAsRoot(arguments) as? Markconv)
        #expect(common == parsed.conversion)
    }
}
