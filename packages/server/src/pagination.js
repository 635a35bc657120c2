"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.PAGE_SIZE = void 0;
exports.pageOffset = pageOffset;
exports.toPage = toPage;
// DRF's PageNumberPagination: 20 a page, absolute next/previous links that keep the other query parameters.
const errors_1 = require("./errors");
exports.PAGE_SIZE = 20;
function pageOffset(page) {
    return (page - 1) * exports.PAGE_SIZE;
}
/** Builds the page, or throws 404 "Invalid page." when the page is past the end (DRF's answer). */
function toPage(req, count, results) {
    if (req.page > 1 && results.length === 0)
        throw new errors_1.AppError('NOT_FOUND', 'Invalid page.');
    const link = (page) => {
        const params = new URLSearchParams();
        for (const [k, v] of Object.entries(req.query))
            if (v !== undefined)
                params.set(k, v);
        if (page > 1)
            params.set('page', String(page));
        const qs = params.toString();
        return qs ? `${req.listUrl}?${qs}` : req.listUrl;
    };
    return {
        count,
        next: pageOffset(req.page) + results.length < count ? link(req.page + 1) : null,
        previous: req.page > 1 ? link(req.page - 1) : null,
        results,
    };
}
