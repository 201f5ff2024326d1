/** axe-core with zero violations, at normal and larger text; nothing scrolls sideways at 320 px. */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { paths } from '../../src/lib/editions.ts';
import { getSchedule, nextSession } from '../../src/server/schedule/schedule.ts';
import { COURSE, course, signIn, uniquePhone } from './helpers.ts';

type Visit = { name: string; path: (page: Page) => Promise<string>; signedIn?: boolean; phone?: string };

const topicMonth = () => nextSession(getSchedule())!.month;
const OFFICIAL = '0912000010';
/** The href of the first link in <main> matching `re`, after opening `from`. */
async function firstLink(page: Page, from: string, re: RegExp): Promise<string> {
  await page.goto(from);
  for (const href of await page.locator('main a').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''))) if (re.test(href)) return href;
  throw new Error(`no link ${re} on ${from}`);
}
const unitPath = (page: Page) => firstLink(page, '/quan-ly', /^\/quan-ly\/don-vi\/\d+$/);
const teamPath = async (page: Page) => firstLink(page, await firstLink(page, await unitPath(page), /^\/quan-ly\/don-vi\/\d+$/), /^\/quan-ly\/to\/\d+$/);

const lesson = () => course().editions.citizen!.lessons[0]!;
const visits: Visit[] = [
  { name: 'home', path: async () => '/' },
  { name: 'catalogue', path: async () => '/khoa-hoc' },
  { name: 'sources list', path: async () => '/nguon' },
  { name: 'course', path: async () => paths.course(COURSE, 'citizen') },
  { name: 'lesson', path: async () => paths.lesson(COURSE, 'citizen', lesson().id) },
  { name: 'member lesson', path: async () => paths.lesson(COURSE, 'member', course().editions.member!.lessons.at(-1)!.id) },
  { name: 'search', path: async () => '/tim-kiem?q=thanh%20toan' },
  { name: 'handout', path: async () => `${paths.course(COURSE, 'member')}/phieu-phat-tay` },
  { name: 'officials’ course lesson', path: async () => paths.lesson('phat-trien-to-cnscd', 'official', 'to-cnscd-hai-cap') },
  { name: 'sign-in', path: async () => '/dang-nhap' },
  { name: 'sign-up', path: async () => '/dang-ky' },
  { name: 'error', path: async () => '/khong-co-trang-nay' },
  { name: 'lesson check', path: async () => paths.check(COURSE, 'citizen', lesson().id) },
  { name: 'check result', path: async (page) => {
      await page.goto(paths.check(COURSE, 'citizen', lesson().id));
      await page.getByRole('button', { name: 'Nộp bài kiểm tra' }).click();
      return new URL(page.url()).pathname + new URL(page.url()).search;
    } },
  { name: 'account', path: async () => '/tai-khoan', signedIn: true },
  { name: 'account: password', path: async () => '/tai-khoan/mat-khau', signedIn: true },
  { name: 'account: name', path: async () => '/tai-khoan/ho-ten', signedIn: true },
  { name: 'account: devices', path: async () => '/tai-khoan/phien', signedIn: true },
  { name: 'account: deletion', path: async () => '/tai-khoan/xoa', signedIn: true },
  { name: 'quiz', path: async () => paths.finalQuiz(COURSE, 'citizen'), signedIn: true },
  { name: 'result', signedIn: true, path: async (page) => {
      await page.goto(paths.finalQuiz(COURSE, 'citizen'));
      await page.getByRole('button', { name: 'Nộp bài' }).click();
      await expect(page).toHaveURL(/ket-qua/);
      return new URL(page.url()).pathname;
    } },
  { name: 'certificate verification', path: async () => '/chung-nhan/HS4VN-2026D' },
  { name: 'certificate lookup', path: async () => '/chung-nhan' },
  { name: 'unknown certificate', path: async () => '/chung-nhan/ZZZZZ-ZZZZZ' },
  { name: 'my certificates', path: async () => '/chung-nhan-cua-toi', signedIn: true, phone: '0912000004' },
  { name: 'certificate admin', path: async () => '/quan-tri/chung-nhan?ma=HS4VN-2026D', signedIn: true, phone: '0912000009' },
  { name: 'item analysis', path: async () => '/quan-tri/phan-tich-cau-hoi', signedIn: true, phone: '0912000009' },
  { name: 'schedule', path: async () => '/lich' },
  { name: 'topic', path: async () => `/lich/${topicMonth()}` },
  { name: 'topic (signed in)', path: async () => `/lich/${topicMonth()}`, signedIn: true },
  { name: 'check-in', path: async () => `/lich/${topicMonth()}/diem-danh`, signedIn: true },
  { name: 'private calendar', path: async () => '/lich/rieng', signedIn: true },
  { name: 'moderation', path: async () => '/quan-tri/hoi-dap', signedIn: true, phone: '0912000005' },
  { name: 'check-in host', path: async () => `/quan-tri/diem-danh/${topicMonth()}`, signedIn: true, phone: '0912000005' },
  { name: 'activation', path: async () => '/kich-hoat' },
  { name: 'forgotten password', path: async () => '/quen-mat-khau' },
  { name: 'account security', path: async () => '/tai-khoan/bao-mat', signedIn: true },
  { name: 'personal recovery code', path: async () => '/tai-khoan/ma-du-phong', signedIn: true },
  { name: 'in-person reset', path: async () => '/quan-ly/dat-lai-tai-cho', signedIn: true, phone: OFFICIAL },
  { name: 'management home', path: async () => '/quan-ly', signedIn: true, phone: OFFICIAL },
  { name: 'unit dashboard', path: unitPath, signedIn: true, phone: OFFICIAL },
  { name: 'team dashboard', path: teamPath, signedIn: true, phone: OFFICIAL },
  { name: 'member detail', path: async (page) => firstLink(page, await teamPath(page), /^\/quan-ly\/thanh-vien\//), signedIn: true, phone: OFFICIAL },
  { name: 'team households (member)', path: async () => '/to-cua-toi/ho-gia-dinh', signedIn: true, phone: '0912000002' },
  { name: 'add household', path: async () => '/to-cua-toi/ho-gia-dinh/them', signedIn: true, phone: '0912000002' },
  { name: 'record visit', path: async () => '/to-cua-toi/luot-ho-tro', signedIn: true, phone: '0912000002' },
  { name: 'household', signedIn: true, phone: '0912000002', path: async (page) => firstLink(page, '/to-cua-toi/ho-gia-dinh', /^\/ho-gia-dinh\/[0-9a-f-]{36}$/) },
  { name: 'visit', signedIn: true, phone: '0912000002', path: async (page) => firstLink(page, '/to-cua-toi/ho-gia-dinh', /^\/to-cua-toi\/luot-ho-tro\/[0-9a-f-]{36}$/) },
  { name: 'link code entry', path: async () => '/lien-ket', signedIn: true },
  { name: 'my household', path: async () => '/ho-gia-dinh-cua-toi', signedIn: true },
  { name: 'my household (linked)', path: async () => '/ho-gia-dinh-cua-toi', signedIn: true, phone: '0912000001' },
  { name: 'household import', path: async () => '/to-cua-toi/ho-gia-dinh/nhap', signedIn: true, phone: '0912000002' },
  { name: 'household import preview', signedIn: true, phone: '0912000002', path: async (page) => {
      await page.goto('/to-cua-toi/ho-gia-dinh/nhap');
      const csv = 'Tên gọi của hộ,Số điện thoại,Ghi chú\nHộ xem thử một,0919876101,Nhà có cây bàng đầu ngõ số 12\nHộ xem thử hai,12345,\n';
      await page.getByLabel(/^Tệp danh sách hộ/).setInputFiles({ name: 'ho.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
      await page.getByRole('button', { name: 'Tải lên và xem trước' }).click();
      await expect(page).toHaveURL(/\/ho-gia-dinh\/nhap\//);
      return new URL(page.url()).pathname;
    } },
  { name: 'unit household coverage', path: async (page) => `${await unitPath(page)}/ho-gia-dinh`, signedIn: true, phone: OFFICIAL },
  { name: 'team household coverage', path: async (page) => `${await teamPath(page)}/ho-gia-dinh`, signedIn: true, phone: OFFICIAL },
  { name: 'roster upload', path: async (page) => `${await unitPath(page)}/nhap-danh-sach`, signedIn: true, phone: OFFICIAL },
  { name: 'roster preview', signedIn: true, phone: OFFICIAL, path: async (page) => {
      await page.goto(`${await unitPath(page)}/nhap-danh-sach`);
      const csv = 'Họ và tên,Số điện thoại,Thôn,Tổ,Vai trò\nNgười Thử Xem,0919876001,Thôn Thử,Tổ Thử,Thành viên\nSai Số,12345,Thôn Thử,Tổ Thử,\n';
      await page.getByLabel(/^Tệp danh sách/).setInputFiles({ name: 'ds.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
      await page.getByRole('button', { name: 'Tải lên và xem trước' }).click();
      await expect(page).toHaveURL(/\/quan-ly\/nhap\//);
      return new URL(page.url()).pathname;
    } },
  { name: 'printable overdue list', path: async (page) => `${await unitPath(page)}/in-qua-han`, signedIn: true, phone: OFFICIAL },
  { name: 'activation and invitation slips', signedIn: true, phone: OFFICIAL, path: async (page) => {
      await page.goto(`${await unitPath(page)}/nhap-danh-sach`);
      const csv = `Họ và tên,Số điện thoại,Thôn,Tổ,Vai trò\nNgười Thử Phiếu,${uniquePhone()},Xóm A11y,Tổ A11y,Thành viên\n`;
      await page.getByLabel(/^Tệp danh sách/).setInputFiles({ name: 'ds.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
      await page.getByRole('button', { name: 'Tải lên và xem trước' }).click();
      await page.getByRole('button', { name: 'Xác nhận nhập danh sách' }).click();
      await page.getByRole('button', { name: 'In phiếu kích hoạt và phiếu mời' }).click();
      await expect(page).toHaveURL(/\/phieu$/);
      return new URL(page.url()).pathname;
    } },
  { name: 'invitation (none waiting)', path: async () => '/loi-moi', signedIn: true, phone: '0912000004' },
  { name: 'admin unit search', path: async () => `/quan-ly/quan-tri?tim=${encodeURIComponent('Ba Đình')}`, signedIn: true, phone: '0912000099' },
  { name: 'audit log', path: async (page) => `${await unitPath(page)}/nhat-ky`, signedIn: true, phone: OFFICIAL },
  { name: 'recovery code', path: async () => '/quan-ly/cap-ma', signedIn: true, phone: OFFICIAL },
  { name: 'admin', path: async () => '/quan-ly/quan-tri', signedIn: true, phone: '0912000099' },
];

for (const size of ['thường', 'lớn'] as const) {
  test.describe(`chữ ${size}`, () => {
    test.beforeEach(async ({ page }) => {
      if (size === 'lớn') await page.addInitScript(() => localStorage.setItem('co-chu', 'lon'));
    });
    for (const v of visits) {
      test(`${v.name}: no axe violations, no sideways scroll at 320 px`, async ({ page }) => {
        if (v.signedIn) await signIn(page, v.phone ?? '0912000003');
        const p = await v.path(page);
        for (const width of [1024, 320]) {
          await page.setViewportSize({ width, height: 800 });
          await page.goto(p);
          if (size === 'lớn') await expect(page.locator('html')).toHaveClass(/chu-lon/);
          const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
          expect(results.violations.map((x) => `${x.id}: ${x.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
          expect(overflow, `horizontal overflow at ${width}px`).toBeLessThanOrEqual(0);
        }
        const fontSize = await page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));
        expect(fontSize).toBeGreaterThanOrEqual(size === 'lớn' ? 22 : 18);
      });
    }
  });
}

test('the larger-text option is remembered by the device', async ({ page }) => {
  await page.goto('/');
  const button = page.getByRole('button', { name: 'Chữ lớn' });
  await expect(button).toHaveAttribute('aria-pressed', 'false');
  await button.click();
  await expect(button).toHaveAttribute('aria-pressed', 'true');
  await page.goto(paths.lesson(COURSE, 'citizen', lesson().id));
  await expect(page.locator('html')).toHaveClass(/chu-lon/);
  expect(await page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize))).toBeGreaterThanOrEqual(22);
});
