"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.similarity = similarity;
exports.passwordProblems = passwordProblems;
// Password rules equal in effect to Django's four default validators (similarity to the user's attributes,
// minimum length, common passwords, entirely numeric), with Django's messages.
const language_common_1 = require("@zxcvbn-ts/language-common");
const MIN_LENGTH = 8;
const MAX_SIMILARITY = 0.7;
// ~49,000 leaked passwords shipped by @zxcvbn-ts/language-common, plus the tiny ones that list leaves out.
let commonPasswords;
function isCommon(password) {
    commonPasswords ??= new Set([...language_common_1.dictionary['passwords-common'], '123', '12', '1', 'abc', 'pass', 'admin']);
    return commonPasswords.has(password.trim().toLowerCase());
}
/** Ratcliff/Obershelp similarity in [0, 1] (the measure Python's difflib.SequenceMatcher.ratio uses). */
function similarity(a, b) {
    if (a.length + b.length === 0)
        return 1;
    return (2 * matchingCharacters(a, b)) / (a.length + b.length);
}
function matchingCharacters(a, b) {
    if (a.length === 0 || b.length === 0)
        return 0;
    // Longest common substring by dynamic programming; inputs are short (≤ 254 chars).
    let best = 0;
    let bestA = 0;
    let bestB = 0;
    let prev = new Array(b.length + 1).fill(0);
    for (let i = 1; i <= a.length; i++) {
        const cur = new Array(b.length + 1).fill(0);
        for (let j = 1; j <= b.length; j++) {
            if (a[i - 1] === b[j - 1]) {
                const len = (prev[j - 1] ?? 0) + 1;
                cur[j] = len;
                if (len > best) {
                    best = len;
                    bestA = i - len;
                    bestB = j - len;
                }
            }
        }
        prev = cur;
    }
    if (best === 0)
        return 0;
    return (best +
        matchingCharacters(a.slice(0, bestA), b.slice(0, bestB)) +
        matchingCharacters(a.slice(bestA + best), b.slice(bestB + best)));
}
/** Every rule the password breaks, in Django's order; empty when it is acceptable. */
function passwordProblems(password, owner) {
    const problems = [];
    const lower = password.toLowerCase();
    const attributes = [
        ['username', owner.username],
        ['email address', owner.email],
        ['first name', owner.firstName ?? ''],
        ['last name', owner.lastName ?? ''],
    ];
    for (const [label, value] of attributes) {
        if (!value)
            continue;
        const parts = [value, ...value.split(/\W+/)].map((p) => p.toLowerCase()).filter((p) => p.length > 0);
        if (parts.some((part) => similarity(lower, part) >= MAX_SIMILARITY)) {
            problems.push(`The password is too similar to the ${label}.`);
            break;
        }
    }
    if (password.length < MIN_LENGTH) {
        problems.push(`This password is too short. It must contain at least ${MIN_LENGTH} characters.`);
    }
    if (isCommon(password))
        problems.push('This password is too common.');
    if (/^\d+$/.test(password))
        problems.push('This password is entirely numeric.');
    return problems;
}
