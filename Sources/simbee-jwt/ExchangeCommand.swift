import ArgumentParser
import Logging
import SimbeeAuthClient
import SimbeeJWT

/// `simbee-jwt exchange`: trades the API key in `SIMBEE_API_KEY` for a token and prints it as one
/// JSON line, for scripts and for checking a key by hand.
///
/// The key comes from the environment, never from an argument, so that it stays out of shell
/// history and process listings; no output of the tool, on success or failure, ever shows it.
struct ExchangeCommand: AsyncParsableCommand {
    /// The environment variable that holds the API key.
    static let keyVariable = "SIMBEE_API_KEY"

    static let configuration = CommandConfiguration(
        commandName: "exchange",
        abstract: "Exchange the API key in SIMBEE_API_KEY for a token and print it as one JSON line.",
        discussion: """
            Prints {"token":…,"expires_in":…,"scopes":[…]}, where expires_in is how many whole \
            seconds the token is valid for, counted from when the request was sent. The token is a \
            credential: keep standard output out of logs. The API key is read from the environment, \
            never from an argument, and never printed. Server errors, timeouts and refused \
            connections are retried, up to three attempts in all; a refused key is not. \
            Exit status: 0 when a token was printed, 1 when the exchange was refused or failed (one \
            line on standard error: simbee-jwt: <code>: <message>), 2 for a usage or setup error \
            (SIMBEE_API_KEY unset or unacceptable, an unacceptable --base-url or --timeout), 3 when \
            standard output could not be written.
            """
    )

    @Option(
        name: .customLong("base-url"),
        help: ArgumentHelp(
            "Simbee's API: the exchange is POST <URL>/auth/exchange. https only (http only for loopback).",
            valueName: "URL"
        )
    )
    var baseURL = SimbeeTokenProvider.Configuration().baseURL

    @Option(
        name: .long,
        parsing: .unconditional,
        help: ArgumentHelp(
            "Longest time one exchange request may take (default 10, at most 120).",
            valueName: "SECONDS"
        )
    )
    var timeout: DecimalArgument?

    func run() async throws {
        let provider = try makeProvider()
        let token: SimbeeAccessToken
        do {
            token = try await provider.token()
        } catch {
            Output.standardError("simbee-jwt: \(error)\n")
            throw ExitCode(1)
        }
        try Output.standardOutput(ResultLine.exchanged(token) + "\n")
    }

    /// The provider for the flags and the key; every problem with them is a ``SetupError``.
    private func makeProvider() throws(SetupError) -> SimbeeTokenProvider {
        var configuration = SimbeeTokenProvider.Configuration()
        configuration.baseURL = baseURL
        if let timeout {
            let requestTimeout = try SetupError.duration(
                timeout,
                flag: "--timeout",
                range: "more than 0 and at most 120",
                accepting: Duration.isAcceptableRequestTimeout
            )
            configuration.requestTimeout = requestTimeout
            configuration.connectTimeout = min(configuration.connectTimeout, requestTimeout)
        }
        let key: SimbeeAPIKey
        do {
            key = try SimbeeAPIKey(environmentVariable: Self.keyVariable)
        } catch {
            // The message names the variable, never its value.
            throw SetupError(message: error.message)
        }
        do {
            // The provider's own log lines would repeat the one error line this command prints.
            return try SimbeeTokenProvider(
                apiKey: key,
                configuration: configuration,
                logger: Logger(label: "simbee-jwt") { _ in SwiftLogNoOpLogHandler() }
            )
        } catch {
            // The message names the setting, not the URL itself: a URL may carry credentials.
            throw SetupError(message: "unusable exchange settings: \(error.message)")
        }
    }
}
