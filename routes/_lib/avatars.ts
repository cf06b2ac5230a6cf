import { createWriteStream } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

/** The image types an avatar may have, and the extension each is stored under. */
export const AVATAR_TYPES = {
  "image/png": "png",
  "image/jpeg": "jpg",
  "image/webp": "webp",
} as const;
export type AvatarType = keyof typeof AVATAR_TYPES;

/** DATA_DIR/avatars: one file per user, `<id>.<ext>` (DATA_DIR as the database reads it). */
function avatarDir(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  return path.resolve(cwd, env.DATA_DIR?.trim() || "./data", "avatars");
}

const fileOf = (id: number, type: AvatarType) =>
  path.join(avatarDir(), `${id}.${AVATAR_TYPES[type]}`);

/** The user's avatar, if any: where it is and its type. */
export async function findAvatar(
  id: number,
): Promise<{ file: string; type: AvatarType } | undefined> {
  for (const type of Object.keys(AVATAR_TYPES) as AvatarType[]) {
    const file = fileOf(id, type);
    if (
      await stat(file).then(
        () => true,
        () => false,
      )
    )
      return { file, type };
  }
  return undefined;
}

/** Stores `image` as the user's avatar (replacing any other), written whole before it is renamed in place. */
export async function saveAvatar(id: number, image: File): Promise<void> {
  const type = image.type as AvatarType;
  await mkdir(avatarDir(), { recursive: true });
  const partial = `${fileOf(id, type)}.partial`;
  await pipeline(Readable.fromWeb(image.stream() as never), createWriteStream(partial));
  await deleteAvatar(id);
  await rename(partial, fileOf(id, type));
}

export async function deleteAvatar(id: number): Promise<boolean> {
  const found = await findAvatar(id);
  if (found) await rm(found.file, { force: true });
  return found !== undefined;
}
