import CGumbo
import Glibc

/// A node of gumbo's parse tree. Valid only while the parse that made it is alive.
typealias GumboNodePointer = UnsafeMutablePointer<GumboNode>

extension UnsafeMutablePointer where Pointee == GumboNode {
    var isElement: Bool { pointee.type == GUMBO_NODE_ELEMENT }

    /// The children of an element or of the document; none for other nodes.
    var childCount: Int {
        switch pointee.type {
        case GUMBO_NODE_ELEMENT, GUMBO_NODE_TEMPLATE: Int(pointee.v.element.children.length)
        case GUMBO_NODE_DOCUMENT: Int(pointee.v.document.children.length)
        default: 0
        }
    }

    func child(_ index: Int) -> GumboNodePointer {
        let vector = pointee.type == GUMBO_NODE_DOCUMENT ? pointee.v.document.children : pointee.v.element.children
        return vector.data[index]!.assumingMemoryBound(to: GumboNode.self)
    }

    var tag: GumboTag { pointee.v.element.tag }

    /// The value of an attribute (names are lower case, as gumbo stores them).
    func attribute(_ name: String) -> String? {
        // Most elements have none: answered before the name is made a C string.
        guard pointee.v.element.attributes.length > 0 else { return nil }
        return withUnsafePointer(to: &pointee.v.element.attributes) { attributes in
            gumbo_get_attribute(attributes, name).map { String(cString: $0.pointee.value) }
        }
    }

    func hasAttribute(_ name: String) -> Bool {
        guard pointee.v.element.attributes.length > 0 else { return false }
        return withUnsafePointer(to: &pointee.v.element.attributes) { gumbo_get_attribute($0, name) != nil }
    }

    /// Whether the `class` attribute lists `name`.
    func hasClass(_ name: String) -> Bool {
        guard let classes = attribute("class") else { return false }
        return classes.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).contains { $0 == name }
    }

    /// The class names, in order.
    var classNames: [Substring] {
        attribute("class")?.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }) ?? []
    }

    /// The decoded text of a text, whitespace or CDATA node, as UTF-8 (gumbo has already
    /// replaced invalid bytes and NUL).
    var textBytes: UnsafeRawBufferPointer {
        let text = pointee.v.text.text!
        return UnsafeRawBufferPointer(start: text, count: strlen(text))
    }

    var isText: Bool {
        pointee.type == GUMBO_NODE_TEXT || pointee.type == GUMBO_NODE_WHITESPACE || pointee.type == GUMBO_NODE_CDATA
    }

    /// Where the node starts in the input.
    var startPosition: GumboSourcePosition {
        switch pointee.type {
        case GUMBO_NODE_ELEMENT, GUMBO_NODE_TEMPLATE: pointee.v.element.start_pos
        case GUMBO_NODE_DOCUMENT: GumboSourcePosition(line: 1, column: 1, offset: 0)
        default: pointee.v.text.start_pos
        }
    }

    /// The first child element with `tag`, if any.
    func firstChildElement(_ tag: GumboTag) -> GumboNodePointer? {
        for index in 0..<childCount {
            let child = self.child(index)
            if child.isElement && child.tag == tag { return child }
        }
        return nil
    }

    /// The text of the node and everything under it, gathered without recursion.
    /// `lineBreak` is what a `<br>` becomes.
    func textContent(lineBreak: String = " ") -> String {
        var bytes: [UInt8] = []
        var stack: [GumboNodePointer] = [self]
        while let node = stack.popLast() {
            if node.isText {
                bytes.append(contentsOf: node.textBytes)
            } else if node.isElement {
                if node.tag == GUMBO_TAG_BR { bytes.append(contentsOf: lineBreak.utf8) }
                var index = node.childCount
                while index > 0 {
                    index -= 1
                    stack.append(node.child(index))
                }
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Text with HTML's whitespace collapsed: runs of ASCII whitespace become one space and
/// the ends are trimmed (how a browser shows a `<summary>` or a caption).
func collapsingWhitespace(_ text: String) -> String {
    // Scalars, not Characters: "\r\n" is one Character and equals neither "\r" nor "\n".
    var result = String.UnicodeScalarView()
    var pendingSpace = false
    for scalar in text.unicodeScalars {
        if scalar.isASCIIWhitespace {
            pendingSpace = !result.isEmpty
            continue
        }
        if pendingSpace { result.append(" ") }
        pendingSpace = false
        result.append(scalar)
    }
    return String(result)
}
