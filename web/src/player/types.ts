// Names for the streaming API's models that the player uses.
import type { components } from "@/api/schema";

type Schemas = components["schemas"];

export type PlaybackStart = Schemas["PlaybackStartOut"];
export type PlaybackStartRequest = Schemas["PlaybackStartIn"];
export type PositionAnswer = Schemas["PositionOut"];
export type MediaToken = Schemas["MediaToken"];
export type Quality = Schemas["Quality"];
export type AudioTrackInfo = Schemas["AudioTrack"];
export type SubtitleTrackInfo = Schemas["SubtitleTrack"];
export type ActiveStreams = Schemas["ActiveStreams"];
export type ActiveStream = Schemas["StreamOut"];
export type DeviceInfo = Schemas["Device"];
export type DeviceType = Schemas["DeviceType"];
export type StreamFormat = Schemas["StreamFormat"];
export type PlayerEventType = Schemas["PlayerEventType"];
export type PlayerEvent = Schemas["PlayerEvent"];
