/**
 * Success notices after a redirect come from this fixed list, addressed by code in `?tb=`; free text
 * in a URL is never printed, so a crafted link cannot show a message on our domain.
 */
export const NOTICES = {
  'da-luu': 'Đã lưu thay đổi.',
  'da-giao-khoa-hoc': 'Đã giao khóa học bắt buộc. Số liệu của các đơn vị liên quan đang được cập nhật.',
  'da-doi-han': 'Đã đổi hạn hoàn thành. Thành viên sẽ thấy hạn cũ và hạn mới ở trang chủ của họ. Số liệu đang được cập nhật.',
  'da-tao-to': 'Đã tạo tổ mới.',
  'da-doi-mat-khau': 'Đã đổi mật khẩu. Các phiên đăng nhập khác đã được đăng xuất.',
  'da-doi-ten': 'Đã cập nhật họ và tên.',
  'da-dang-xuat-noi-khac': 'Đã đăng xuất khỏi các thiết bị khác.',
  'da-dang-xuat-phien': 'Đã kết thúc phiên đăng nhập đó.',
  'da-xoa-tai-khoan': 'Tài khoản của bạn đã được xóa.',
  'da-huy-khoi-phuc': 'Đã hủy yêu cầu đặt lại mật khẩu.',
  'da-dat-mat-khau': 'Đã đặt mật khẩu mới. Mọi phiên đăng nhập cũ của tài khoản đã được đăng xuất.',
  'da-xac-nhan-yeu-cau': 'Đã xác nhận. Người đang ngồi cùng bạn giờ có thể nhận mã khôi phục trên máy của họ.',
  'da-tu-choi-yeu-cau': 'Đã từ chối. Không ai nhận được mã khôi phục cho tài khoản của bạn.',
  'da-xem-thong-bao': 'Đã đánh dấu các thông báo là đã xem.',
  'da-nhan-loi-moi': 'Bạn đã vào tổ. Các khóa học bắt buộc của tổ hiện ở trang chủ.',
  'da-tu-choi-loi-moi': 'Đã từ chối lời mời. Bạn không vào tổ nào.',
  'da-cap-lai-ma': 'Đã cấp mã kích hoạt mới. Mã cũ không còn dùng được; hãy in phiếu mới và trao tận tay.',
  'da-them-ho': 'Đã thêm hộ gia đình vào danh sách của tổ.',
  'da-ghi-luot': 'Đã ghi lượt hỗ trợ.',
  'da-ghi-y-kien': 'Đã ghi nhận hộ gia đình đồng ý.',
  'da-chuyen-ho': 'Đã chuyển hộ gia đình sang tổ khác.',
  'da-xoa-ho': 'Đã xóa dữ liệu của hộ gia đình. Các lượt hỗ trợ cũ được giữ lại dưới dạng ẩn danh.',
  'da-lien-ket': 'Đã liên kết tài khoản của bạn với hộ gia đình.',
  'da-huy-lien-ket': 'Đã hủy liên kết tài khoản với hộ gia đình.',
  'da-gui-yeu-cau-xoa': 'Đã gửi yêu cầu xóa dữ liệu hộ tới tổ công nghệ số cộng đồng.',
  'da-nhap-ho': 'Đã nhập danh sách hộ gia đình.',
  'da-gui-nhac-nho': 'Đã gửi lời nhắc đến các thành viên quá hạn. Họ sẽ thấy lời nhắc khi mở Học Số.',
  'da-an-nhac-nho': 'Đã ẩn lời nhắc.',
} as const;

/** A notice code. */
export type NoticeCode = keyof typeof NOTICES;

/** The query string part carrying a notice. */
export function noticeQuery(code: NoticeCode): string {
  return `tb=${code}`;
}

/** The notice text for the `tb` query value of `url`, or undefined for absent or unknown codes. */
export function noticeFrom(url: URL): string | undefined {
  const code = url.searchParams.get('tb');
  return code && Object.hasOwn(NOTICES, code) ? NOTICES[code as NoticeCode] : undefined;
}
