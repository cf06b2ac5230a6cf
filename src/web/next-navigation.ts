// What `import … from "next/navigation"` gives a route file under nextpress (see loader/module-aliases.ts):
// the server-side interrupts; the client hooks exist so that imports resolve, and say why they fail.
export {
  redirect,
  permanentRedirect,
  notFound,
  forbidden,
  unauthorized,
  RedirectType,
  unstable_rethrow,
} from "./navigation";

function clientOnly(name: string): () => never {
  return () => {
    throw new Error(
      `${name}() is a React hook for client components: route handlers have no component tree`,
    );
  };
}

export const useRouter = clientOnly("useRouter");
export const usePathname = clientOnly("usePathname");
export const useSearchParams = clientOnly("useSearchParams");
export const useParams = clientOnly("useParams");
export const useSelectedLayoutSegment = clientOnly("useSelectedLayoutSegment");
export const useSelectedLayoutSegments = clientOnly("useSelectedLayoutSegments");
