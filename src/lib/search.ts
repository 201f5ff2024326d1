/**
 * Vietnamese folding for search. Pagefind folds tone marks itself but keeps đ apart from d, so both
 * the index and every query go through this: "duong" then finds "đường".
 */
export function foldVietnamese(text: string): string {
  return text.replace(/đ/g, 'd').replace(/Đ/g, 'D');
}
