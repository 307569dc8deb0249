import ArgumentParser
import SimbeeJWT

/// `simbee-jwt`: verify and inspect Simbee JWTs from the command line, and exchange an API key for
/// one.
///
/// Exit status: 0 when every token verified (or the exchange succeeded), 1 when any was rejected
/// (or the exchange was refused or failed), 2 for a usage or setup error, 3 when standard output
/// could not be written (or standard input read).
@main
struct SimbeeJWTCommand: AsyncParsableCommand {
    /// The tool's version, printed by `--version`.
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "simbee-jwt",
        abstract: "Verify ES256 and EdDSA JWTs against a JWK Set, or exchange an API key for one.",
        discussion: """
            Exit status: 0 when every token verified or the exchange succeeded, 1 when any was \
            rejected or the exchange was refused or failed, 2 for a usage or setup error, 3 when \
            standard output could not be written or standard input could not be read.
            """,
        version: version,
        subcommands: [VerifyCommand.self, DecodeCommand.self, ExchangeCommand.self]
    )

    /// Runs the tool with the exit-status contract above: argument-parser's own usage status (64)
    /// becomes 2.
    static func main() async {
        do {
            try Output.prepareStandardStreams()
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let exitCode as ExitCode {
            SystemCall.exit(exitCode.rawValue)
        } catch let setup as SetupError {
            Output.standardError("simbee-jwt: \(setup.message)\n")
            SystemCall.exit(2)
        } catch let output as OutputError {
            Output.standardError("simbee-jwt: \(output.message)\n")
            SystemCall.exit(3)
        } catch let input as InputError {
            Output.standardError("simbee-jwt: \(input.message)\n")
            SystemCall.exit(3)
        } catch {
            if exitCode(for: error) == .success {
                // --help and --version.
                do {
                    try Output.standardOutput(fullMessage(for: error) + "\n")
                } catch {
                    Output.standardError("simbee-jwt: \(error.message)\n")
                    SystemCall.exit(3)
                }
                SystemCall.exit(0)
            }
            Output.standardError(fullMessage(for: error) + "\n")
            SystemCall.exit(2)
        }
    }
}

/// A usage or setup problem found after argument parsing: exit status 2.
struct SetupError: Error {
    let message: String

    /// A flag's number of seconds as a `Duration`, refused when it is not a finite decimal number
    /// that a `Duration` can hold or `accepting` refuses it, with a message naming the flag and
    /// `range`. Without `accepting`, the library checks the range, and its message names the setting.
    static func duration(
        _ argument: DecimalArgument,
        flag: String,
        range: String,
        accepting: (Duration) -> Bool = { _ in true }
    ) throws(SetupError) -> Duration {
        guard let seconds = argument.value, let duration = Duration(checkedSeconds: seconds), accepting(duration)
        else {
            throw SetupError(message: "\(flag) must be a number of seconds from \(range)")
        }
        return duration
    }
}

/// A number given to a flag, as typed. Its value is read as a decimal number only (`90`, `0.5`,
/// `-1`, `1e3`), where `Double` alone would also take hexadecimal (`0x3C`), `nan` and `inf`.
/// Parsing never fails here, so that a bad value gets the flag's own one-line message
/// (``SetupError``) rather than a usage dump; the options that take one parse unconditionally, so
/// that `--leeway -1` is a value out of range, not a missing value.
struct DecimalArgument: ExpressibleByArgument {
    let text: String

    init(argument: String) {
        text = argument
    }

    /// The number, or `nil` when the text is not a finite decimal number.
    var value: Double? {
        let decimal = text.utf8.allSatisfy { byte in
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || "+-.eE".utf8.contains(byte)
        }
        guard !text.isEmpty, decimal, let value = Double(text), value.isFinite else { return nil }
        return value
    }
}
