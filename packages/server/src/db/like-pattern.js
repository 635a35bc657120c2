"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.containsPattern = containsPattern;
/** A case-insensitive "contains" pattern for ILIKE in which the user's % and _ match themselves, not anything. */
function containsPattern(q) {
    return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
