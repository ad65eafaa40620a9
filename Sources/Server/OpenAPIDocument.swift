/// The API's OpenAPI 3.1 description, served at `GET /openapi.yaml`. `docs/openapi.yaml`
/// is this text, written by `markconv serve --print-openapi` (ServerTests checks they
/// are the same).
public enum OpenAPIDocument {
    public static let yaml = """
        openapi: 3.1.0
        info:
          title: markconv
          summary: Convert posts between Markdown, BBCode and HTML through one document tree.
          version: 0.1.0
        servers:
          - url: http://127.0.0.1:8080
        paths:
          /v1/convert:
            post:
              summary: Convert a post.
              description: >-
                JSON in, or the post itself as the body (text/plain) with `from` and `to`
                in the query. Raw HTML and addresses of any scheme are never passed
                through: the CLI's --unsafe has no counterpart here.
              parameters:
                - {name: from, in: query, schema: {type: string, default: gfm}, description: Input format, for a text/plain body.}
                - {name: to, in: query, schema: {type: string, default: html}, description: Output format, for a text/plain body.}
                - {name: lossy-utf8, in: query, schema: {type: boolean, default: false}, description: Replace invalid UTF-8 instead of failing.}
              requestBody:
                required: true
                content:
                  application/json:
                    schema: {$ref: '#/components/schemas/ConvertRequest'}
                  text/plain:
                    schema: {type: string}
              responses:
                '200':
                  description: The output and what it could not carry.
                  content:
                    application/json:
                      schema: {$ref: '#/components/schemas/ConvertReply'}
                '400': {$ref: '#/components/responses/Error'}
                '413': {$ref: '#/components/responses/Error'}
                '415': {$ref: '#/components/responses/Error'}
                '422': {$ref: '#/components/responses/Error'}
                '503': {$ref: '#/components/responses/Error'}
          /v1/roundtrip:
            post:
              summary: Write a post in another format, read it back, and report what changed.
              requestBody:
                required: true
                content:
                  application/json:
                    schema: {$ref: '#/components/schemas/RoundTripRequest'}
              responses:
                '200':
                  description: The structural differences, none when the post survives.
                  content:
                    application/json:
                      schema: {$ref: '#/components/schemas/RoundTripReply'}
                '400': {$ref: '#/components/responses/Error'}
                '413': {$ref: '#/components/responses/Error'}
                '415': {$ref: '#/components/responses/Error'}
                '422': {$ref: '#/components/responses/Error'}
                '503': {$ref: '#/components/responses/Error'}
          /v1/formats:
            get:
              summary: Every format, and each BBCode dialect's table of forms (markconv --describe).
              responses:
                '200':
                  description: The formats.
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [formats]
                        properties:
                          formats:
                            type: array
                            items:
                              type: object
                              required: [name, summary, readable, writable]
                              properties:
                                name: {type: string, examples: [bbcode_phpbb]}
                                summary: {type: string}
                                readable: {type: boolean}
                                writable: {type: boolean}
                                describe: {type: string, description: The dialect's --describe table.}
        components:
          schemas:
            Options:
              type: object
              description: The CLI's options, by the CLI's names.
              properties:
                front-matter: {type: string, enum: [drop, keep, markdown], default: drop}
                list-indent: {type: integer, minimum: 1, maximum: 8}
                nesting-limit: {type: integer, minimum: 1, description: Lower than the default only.}
                tag-limit: {type: integer, minimum: 1, description: Lower than the default only.}
                lossy-utf8: {type: boolean, default: false}
            ConvertRequest:
              allOf:
                - {$ref: '#/components/schemas/Options'}
                - type: object
                  required: [text]
                  properties:
                    text: {type: string}
                    from: {type: string, default: gfm, examples: [gfm, bbcode_phpbb, html]}
                    to: {type: string, default: html, examples: [bbcode_phpbb, gfm]}
            RoundTripRequest:
              allOf:
                - {$ref: '#/components/schemas/Options'}
                - type: object
                  required: [text, via]
                  properties:
                    text: {type: string}
                    from: {type: string, default: gfm}
                    via: {type: string, examples: [bbcode_phpbb]}
            Warning:
              type: object
              required: [line, column, kind, message]
              properties:
                line: {type: integer, description: 1-based; 0 when unknown.}
                column: {type: integer, description: 1-based, in UTF-8 bytes; 0 when unknown.}
                kind: {type: string, enum: [loss, limit, input]}
                message: {type: string}
            ConvertReply:
              type: object
              required: [output, warnings, lossy]
              properties:
                output: {type: string}
                warnings: {type: array, items: {$ref: '#/components/schemas/Warning'}}
                lossy: {type: boolean, description: Whether any warning is a loss.}
            RoundTripReply:
              type: object
              required: [survived, differences, warnings]
              properties:
                survived: {type: boolean}
                differences:
                  type: array
                  items:
                    type: object
                    required: [path, line, column, message]
                    properties:
                      path: {type: array, items: {type: string}}
                      line: {type: integer}
                      column: {type: integer}
                      message: {type: string}
                warnings: {type: array, items: {$ref: '#/components/schemas/Warning'}}
            Error:
              type: object
              required: [error, message]
              properties:
                error:
                  type: string
                  enum: [bad-request, bad-option, unknown-format, unknown-extension, no-extensions, not-readable,
                         not-writable, invalid-utf8, invalid-input, too-complex, too-large, unsupported-media-type,
                         busy, not-found, internal]
                message: {type: string}
                offset: {type: integer, description: The first invalid byte, for invalid-utf8.}
          responses:
            Error:
              description: What went wrong, with the meaning of the CLI's exit status.
              content:
                application/json:
                  schema: {$ref: '#/components/schemas/Error'}

        """
}
