"use client";

// The player's pop-up menus: the design system's menu items, in a portal inside the player so
// they still show when the player is full screen (only its subtree is drawn then).
import * as Menu from "@radix-ui/react-dropdown-menu";
import { Check } from "lucide-react";
import type { ReactNode } from "react";

import { DropdownMenuLabel, DropdownMenuRadioItem, DropdownMenuSeparator } from "@/components/ui/dropdown-menu";
import { cn } from "@/lib/utils";

import { ControlButton } from "./control-button";

export interface MenuChoice {
  value: string;
  label: string;
  lang?: string;
}

export function PlayerMenu({
  label,
  icon,
  badge,
  container,
  testId,
  disabled,
  onOpenChange,
  children,
}: {
  label: string;
  icon: ReactNode;
  badge?: string;
  container: HTMLElement | null;
  testId: string;
  disabled?: boolean;
  onOpenChange?: (open: boolean) => void;
  children: ReactNode;
}) {
  return (
    <Menu.Root modal={false} onOpenChange={onOpenChange}>
      <Menu.Trigger asChild disabled={disabled}>
        {/* The badge's text is part of the name (WCAG 2.5.3, label in name). */}
        <ControlButton label={badge ? `${label}: ${badge}` : label} data-testid={testId}>
          {icon}
          {badge ? (
            <span aria-hidden="true" className="absolute -right-0.5 top-0.5 rounded bg-white/90 px-1 text-[10px] font-bold leading-tight text-black">
              {badge}
            </span>
          ) : null}
        </ControlButton>
      </Menu.Trigger>
      <Menu.Portal container={container}>
        <Menu.Content
          side="top"
          align="end"
          sideOffset={8}
          collisionBoundary={container}
          data-testid={`${testId}-content`}
          className="z-50 max-h-[min(24rem,70dvh)] min-w-48 overflow-y-auto rounded-lg border border-border bg-popover p-1 text-popover-foreground shadow-xl"
        >
          {children}
        </Menu.Content>
      </Menu.Portal>
    </Menu.Root>
  );
}

export function MenuRadioGroup({
  title,
  value,
  choices,
  onChoose,
  testId,
}: {
  title: string;
  value: string;
  choices: readonly MenuChoice[];
  onChoose: (value: string) => void;
  testId: string;
}) {
  return (
    <Menu.Group aria-label={title}>
      <DropdownMenuLabel>{title}</DropdownMenuLabel>
      <Menu.RadioGroup value={value} onValueChange={onChoose}>
        {choices.map((choice) => (
          <DropdownMenuRadioItem
            key={choice.value}
            value={choice.value}
            lang={choice.lang}
            data-testid={`${testId}-${choice.value}`}
          >
            {choice.label}
          </DropdownMenuRadioItem>
        ))}
      </Menu.RadioGroup>
    </Menu.Group>
  );
}

export function MenuCheckbox({
  checked,
  onChange,
  children,
  testId,
  className,
}: {
  checked: boolean;
  onChange: (checked: boolean) => void;
  children: ReactNode;
  testId: string;
  className?: string;
}) {
  return (
    <Menu.CheckboxItem
      checked={checked}
      onCheckedChange={onChange}
      onSelect={(event) => event.preventDefault()}
      data-testid={testId}
      className={cn(
        "relative flex cursor-default select-none items-center gap-2 rounded-md py-2 pl-8 pr-2 text-sm outline-none data-[highlighted]:bg-accent data-[highlighted]:text-accent-foreground",
        className,
      )}
    >
      <span className="absolute left-2 flex size-4 items-center justify-center">
        <Menu.ItemIndicator>
          <Check aria-hidden="true" className="size-4" />
        </Menu.ItemIndicator>
      </span>
      {children}
    </Menu.CheckboxItem>
  );
}

export const MenuSeparator = DropdownMenuSeparator;
export const MenuLabel = DropdownMenuLabel;
