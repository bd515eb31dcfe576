/**
 * Symbol keys of grove/cluster's internal members, so they never clash with
 * public names. Imports nothing.
 */
export const PICK: unique symbol = Symbol('grove.pick');
