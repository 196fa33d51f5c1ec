/** A source file that cannot be read as what it claims to be (the file's fault, not the importer's): a 400 over HTTP. */
export class SourceFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SourceFormatError';
  }
}
