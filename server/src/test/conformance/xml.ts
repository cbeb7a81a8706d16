// A small strict XML reader for the tests: it refuses a document that is not well-formed and returns its element tree.

/** An element: its name, its child elements in order, and its text (the concatenated character data, entities decoded). */
export interface XmlElement {
  name: string;
  children: XmlElement[];
  text: string;
}

const NAME = /^[A-Za-z_][A-Za-z0-9._-]*/;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

class Reader {
  position = 0;
  constructor(readonly source: string) {}

  fail(why: string): never {
    throw new Error(`Not well-formed XML at offset ${this.position}: ${why}`);
  }

  startsWith(text: string): boolean {
    return this.source.startsWith(text, this.position);
  }

  expect(text: string): void {
    if (!this.startsWith(text)) this.fail(`expected '${text}'`);
    this.position += text.length;
  }

  skipSpace(): void {
    while (this.position < this.source.length && /\s/.test(this.source.charAt(this.position))) this.position += 1;
  }

  name(): string {
    const match = NAME.exec(this.source.slice(this.position));
    if (!match) this.fail('expected a name');
    this.position += match[0].length;
    return match[0];
  }

  /** Character data up to the next `<`, with entity and character references decoded; a bare `&` or `>` after `]]` is refused. */
  text(): string {
    let out = '';
    while (this.position < this.source.length && !this.startsWith('<')) {
      const char = this.source.charAt(this.position);
      if (char === '&') {
        const end = this.source.indexOf(';', this.position);
        if (end === -1) this.fail("an '&' that starts no reference");
        const reference = this.source.slice(this.position + 1, end);
        if (Object.hasOwn(ENTITIES, reference)) out += ENTITIES[reference];
        else if (/^#\d+$/.test(reference)) out += String.fromCodePoint(Number(reference.slice(1)));
        else if (/^#x[0-9A-Fa-f]+$/.test(reference))
          out += String.fromCodePoint(Number.parseInt(reference.slice(2), 16));
        else this.fail(`unknown reference '&${reference};'`);
        this.position = end + 1;
      } else {
        out += char;
        this.position += 1;
      }
    }
    return out;
  }

  element(): XmlElement {
    this.expect('<');
    const name = this.name();
    this.skipSpace();
    if (this.startsWith('/>')) {
      this.position += 2;
      return { name, children: [], text: '' };
    }
    if (!this.startsWith('>')) this.fail(`attributes are not expected on <${name}>`);
    this.position += 1;
    const children: XmlElement[] = [];
    let text = '';
    for (;;) {
      if (this.position >= this.source.length) this.fail(`<${name}> is never closed`);
      if (this.startsWith('</')) {
        this.position += 2;
        const closing = this.name();
        if (closing !== name) this.fail(`</${closing}> closes <${name}>`);
        this.skipSpace();
        this.expect('>');
        return { name, children, text };
      }
      if (this.startsWith('<')) children.push(this.element());
      else text += this.text();
    }
  }
}

/** Parses a whole document: an optional `<?xml …?>` declaration, then exactly one root element. Throws when not well-formed. */
export function parseXml(source: string): XmlElement {
  const reader = new Reader(source);
  if (reader.startsWith('<?xml')) {
    const end = source.indexOf('?>');
    if (end === -1) reader.fail('unterminated XML declaration');
    reader.position = end + 2;
  }
  reader.skipSpace();
  const root = reader.element();
  reader.skipSpace();
  if (reader.position !== source.length) reader.fail('content after the root element');
  return root;
}

/** The text of the only child named `name`; throws when there is not exactly one. */
export function childText(element: XmlElement, name: string): string {
  const found = element.children.filter((child) => child.name === name);
  if (found.length !== 1) throw new Error(`<${element.name}> has ${found.length} <${name}> children`);
  return (found[0] as XmlElement).text;
}
