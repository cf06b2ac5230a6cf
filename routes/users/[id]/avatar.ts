import { createReadStream } from "node:fs";
import { ApiError, authenticate, defineRoute } from "nextpress";
import { z } from "zod";
import { AVATAR_TYPES, findAvatar, saveAvatar } from "../../_lib/avatars";
import { Message, UserParams } from "../../_lib/user-schemas";
import { findUser } from "../../_lib/users";

// A user's avatar: PUT as multipart/form-data (field `avatar`, PNG, JPEG or WebP, at most 256 KiB),
// GET back as the image. The upload streams to a temporary file under DATA_DIR (removed when the
// response ends), is checked by the schema, then copied to DATA_DIR/avatars/<id>.<ext>.

const MAX_BYTES = 256 * 1024;

export const config = { multipart: { toDisk: true, fileSize: MAX_BYTES, files: 1, parts: 1 } };

const AvatarUpload = z.object({
  avatar: z
    .file()
    .max(MAX_BYTES)
    .mime(Object.keys(AVATAR_TYPES) as [keyof typeof AVATAR_TYPES]),
});

const Avatar = z.object({ id: z.number(), type: z.string(), size: z.number() });

export const PUT = defineRoute({
  middleware: [authenticate],
  schema: { query: UserParams, body: AvatarUpload, responses: { 200: Avatar, 404: Message } },
  openapi: { summary: "Upload a user's avatar", operationId: "putUserAvatar" },
  async handler(req, res) {
    const { id } = req.query;
    if (!(await findUser(id))) throw new ApiError(404, "User not found");
    await saveAvatar(id, req.body.avatar);
    res.status(200).json({ id, type: req.body.avatar.type, size: req.body.avatar.size });
  },
});

export const GET = defineRoute({
  schema: {
    query: UserParams,
    responses: {
      200: z.file().meta({ description: "The image as uploaded: PNG, JPEG or WebP" }),
      404: Message,
    },
  },
  openapi: { summary: "Get a user's avatar", operationId: "getUserAvatar" },
  async handler(req, res) {
    if (!(await findUser(req.query.id))) throw new ApiError(404, "User not found");
    const avatar = await findAvatar(req.query.id);
    if (!avatar) throw new ApiError(404, "No avatar");
    res.setHeader("Content-Type", avatar.type);
    createReadStream(avatar.file).pipe(res);
  },
});
