import { runServer } from "./server";

// The entry point of `npm start` and the Docker image.
runServer();
