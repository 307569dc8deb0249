import ArgumentParser

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `simbee-jwt`: verify and inspect Simbee JWTs from the command line.
///
/// Exit status: 0 when every token verified, 1 when any was rejected, 2 for a usage or setup error.
@main
struct SimbeeJWTCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simbee-jwt",
        abstract: "Verify ES256 and EdDSA JWTs against a JWK Set.",
        subcommands: [VerifyCommand.self, DecodeCommand.self]
    )

    /// Runs the tool with the exit-status contract above: argument-parser's own usage status (64)
    /// becomes 2.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let exitCode as ExitCode {
            Glibc.exit(exitCode.rawValue)
        } catch let setup as SetupError {
            Output.standardError("simbee-jwt: \(setup.message)\n")
            Glibc.exit(2)
        } catch {
            if exitCode(for: error) == .success {
                Output.standardOutput(fullMessage(for: error) + "\n")
                Glibc.exit(0)
            }
            Output.standardError(fullMessage(for: error) + "\n")
            Glibc.exit(2)
        }
    }
}

/// A usage or setup problem found after argument parsing: exit status 2.
struct SetupError: Error {
    let message: String
}
