import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// A real HTTP/1.1 server on 127.0.0.1 for tests of the fetcher at the level of the wire: it records
/// each request's head and answers with bytes the test writes out step by step.
///
/// A test can so send exactly the field lines it means (two `Cache-Control` lines, an `Age`) or stop
/// partway through a response and leave the connection open. `SimbeeTestJWKSServer` answers through
/// NIO's response encoder and always finishes what it starts, so it can do neither.
final class LoopbackWireServer: Sendable {
    /// One step of the answer to a request.
    enum Step: Sendable {
        /// Write these bytes, exactly, and flush them.
        case send(String)
        /// Wait before the next step.
        case pause(Duration)
    }

    /// The port the server listens on at 127.0.0.1, chosen by the system.
    let port: Int

    /// A URL on the server; every path gets the same answer.
    var url: String { "http://127.0.0.1:\(port)/jwks.json" }

    private let channel: any Channel
    private let state: NIOLockedValueBox<State>

    private struct State {
        var requests: [HTTPRequestHead] = []
        var connections: [any Channel] = []
    }

    private init(channel: any Channel, port: Int, state: NIOLockedValueBox<State>) {
        self.channel = channel
        self.port = port
        self.state = state
    }

    /// Starts a server that answers every request with `steps`. A connection stays open after the
    /// last step until ``shutdown()``, so an answer that ends before its body does stalls the client.
    static func start(answering steps: [Step]) async throws -> LoopbackWireServer {
        let state = NIOLockedValueBox(State())
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    state.withLockedValue { $0.connections.append(channel) }
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(HTTPRequestDecoder()))
                    try channel.pipeline.syncOperations.addHandler(WireAnswerHandler(steps: steps, state: state))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        guard let port = channel.localAddress?.port else {
            try? await channel.close()
            throw WireServerError()
        }
        return LoopbackWireServer(channel: channel, port: port, state: state)
    }

    /// The heads of the requests received so far, in order of arrival.
    var requests: [HTTPRequestHead] { state.withLockedValue { $0.requests } }

    /// Stops listening and closes every connection.
    func shutdown() async {
        try? await channel.close()
        for connection in state.withLockedValue({ $0.connections }) {
            try? await connection.close()
        }
    }

    /// The answer of a whole response: a status line, `fields` as separate lines in order, a
    /// `Content-Length` for `body`, and `body`.
    static func response(status: String = "200 OK", fields: [(String, String)], body: String) -> String {
        let head = fields.map { "\($0.0): \($0.1)\r\n" }.joined()
        return "HTTP/1.1 \(status)\r\n\(head)Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    private struct WireServerError: Error {}

    /// Records each request and plays the steps back on its connection.
    private final class WireAnswerHandler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart

        private let steps: [Step]
        private let state: NIOLockedValueBox<State>
        private var head: HTTPRequestHead?

        init(steps: [Step], state: NIOLockedValueBox<State>) {
            self.steps = steps
            self.state = state
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
            case .body:
                break
            case .end:
                guard let head else { return }
                self.head = nil
                state.withLockedValue { $0.requests.append(head) }
                let channel = context.channel
                Task { [steps] in
                    for step in steps {
                        switch step {
                        case .send(let bytes):
                            try await channel.writeAndFlush(ByteBuffer(string: bytes)).get()
                        case .pause(let duration):
                            try await Task.sleep(for: duration)
                        }
                    }
                }
            }
        }
    }
}
