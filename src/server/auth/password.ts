/**
 * Password hashing (argon2id at OWASP's recommended parameters) and the common-password check
 * (NIST 800-63B: length rules and a blocklist, no composition rules).
 */
import { hash, verify } from '@node-rs/argon2';

// OWASP Password Storage Cheat Sheet: argon2id, m=19 MiB, t=2, p=1.
const ARGON2 = { algorithm: 2 /* Argon2id */, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

/** Common Vietnamese passwords that English-centred lists miss. */
const VIETNAMESE_COMMON = [
  'matkhau', 'matkhau1', 'matkhau12', 'matkhau123', 'matkhau1234', 'matkhau@123', 'matkhaucuatoi', 'matkhaumoi',
  'anhyeuem', 'anhyeuem1', 'anhyeuem123', 'emyeuanh', 'emyeuanh123', 'yeuem123', 'yeuanh123', 'iloveyou123',
  'vietnam', 'vietnam1', 'vietnam123', 'vietnam@123', 'hanoi123', 'saigon123', 'hochiminh', 'conmeo123',
  '123456aa', 'abc123456', 'qwerty123', 'hocso123', 'hocso2026', 'tocongnghesocongdong', 'congnghe123',
  'nguyen123', 'nguyenvan', 'tranvan123', 'thanhcong', 'thanhcong123', 'hanhphuc', 'hanhphuc123', 'chucmung',
  'bachkhoa', 'dienthoai', 'dienthoai123', 'taikhoan', 'taikhoan123', 'dangnhap', 'dangnhap123', '88888888',
  '66666666', '68686868', '86868686', '99999999', '12341234', '11223344', 'a1234567', 'admin123',
];

let blocklist: Set<string> | undefined;

async function loadBlocklist(): Promise<Set<string>> {
  if (!blocklist) {
    const { dictionary } = await import('@zxcvbn-ts/language-common');
    // The list is ordered by frequency; the 10,000 most common are refused.
    const common = (dictionary['passwords-common'] as string[]).slice(0, 10_000);
    blocklist = new Set([...common, ...VIETNAMESE_COMMON].map((p) => p.toLowerCase()));
  }
  return blocklist;
}

/** Whether a password is among the most common ones (case-insensitive). */
export async function isCommonPassword(password: string): Promise<boolean> {
  return (await loadBlocklist()).has(password.toLowerCase());
}

/** Hashes a password with argon2id. */
export function hashPassword(password: string): Promise<string> {
  return hash(password.normalize('NFC'), ARGON2);
}

/** Verifies a password against a stored argon2 hash. */
export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password.normalize('NFC'));
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;

/** Spends the same time as a real verification, so unknown numbers cannot be told by timing. */
export async function verifyDummy(password: string): Promise<void> {
  dummy ??= hashPassword('không-phải-mật-khẩu-thật');
  await verifyPassword(await dummy, password);
}
