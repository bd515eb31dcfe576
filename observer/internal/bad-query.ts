/** A request's query the observer cannot serve (`?sort=colour`): answered 400 with this message. */
export class BadQuery extends Error {
  static {
    this.prototype.name = 'BadQuery';
  }
}
