// The umbrella module: `import SwiftWebSocket` gives the client, the server, the connection
// type and the protocol vocabulary (messages, close codes, headers) in one line. Pick the
// individual `WebSocket*` modules instead to depend on less.
@_exported public import PerMessageDeflate
@_exported public import WebSocketClient
@_exported public import WebSocketCore
@_exported public import WebSocketDriver
@_exported public import WebSocketExtensions
@_exported public import WebSocketFraming
@_exported public import WebSocketHandshake
@_exported public import WebSocketServer
@_exported public import WebSocketTransport
