"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.isoUtc = isoUtc;
/** ISO-8601 UTC with `Z`, dropping a zero fraction as the old API did ("2026-11-26T19:00:00Z"). */
function isoUtc(d) {
    return d.toISOString().replace('.000Z', 'Z');
}
